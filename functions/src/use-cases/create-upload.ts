import type { User } from '../domain/user.ts';
import type { PresignedRequest } from '../ports/body-store.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadWritable } from './notebook-access.ts';

/**
 * Makes a presigned upload URL for the notebook's next version.
 * 1. Load it; only the owner and admins may upload.
 * 2. Presign a PUT to a key the server makes from the notebook and a new upload id.
 */
export const createUpload = async (deps: FoliumDeps, input: { user: User; notebookId: string }): Promise<PresignedRequest & { uploadId: string }> => {
  const notebook = await loadWritable(deps.notebooks, input.user, input.notebookId);
  const uploadId = deps.ids.next('up');
  return { ...(await deps.bodies.presignUpload(notebook.id, uploadId, deps.limits.urlSeconds)), uploadId };
};
