import type { User } from '../domain/user.ts';
import type { PresignedPost } from '../ports/body-store.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadWritable } from './notebook-access.ts';

/** What presigning an upload form needs. */
export type PresignUploadDeps = Pick<FoliumDeps, 'bodies' | 'ids' | 'limits'>;

/** What creating an upload for a notebook needs. */
export type CreateUploadDeps = PresignUploadDeps & Pick<FoliumDeps, 'notebooks'>;

/** A presigned upload form and the id a commit names it by. */
export type Upload = PresignedPost & { uploadId: string };

/**
 * Makes a presigned upload form for the notebook's next version.
 * 1. Load it; only the owner and admins may upload.
 * 2. Presign a form POST to a key the server makes from the notebook and a new upload id, which storage
 *    refuses past the upload limit.
 */
export const createUpload = async (
  deps: CreateUploadDeps,
  input: { user: User; notebookId: string },
): Promise<Upload> => {
  const notebook = await loadWritable(deps.notebooks, input.user, input.notebookId);
  return presignNextUpload(deps, notebook.id);
};

/** A new upload id and its presigned form, bounded by the configured upload limit. */
export const presignNextUpload = async (deps: PresignUploadDeps, notebookId: string): Promise<Upload> => {
  const uploadId = deps.ids.next('up');
  return {
    ...(await deps.bodies.presignUpload(notebookId, uploadId, deps.limits.urlSeconds, deps.limits.uploadBytes)),
    uploadId,
  };
};
