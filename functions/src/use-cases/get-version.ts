import type { NotebookVersion } from '../domain/notebook.ts';
import type { User } from '../domain/user.ts';
import type { PresignedRequest } from '../ports/body-store.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadVersion } from './load-version.ts';
import { loadReadable } from './notebook-access.ts';

/** What reading a version with its download needs. */
export type GetVersionDeps = Pick<FoliumDeps, 'notebooks' | 'bodies' | 'limits'>;

/**
 * Reads one version with a presigned download URL for its body.
 * 1. Load the notebook the user may read, then the version (latest when none is named).
 * 2. Presign a GET that downloads the body as `<title>-v<n>.ipynb`.
 */
export const getVersion = async (
  deps: GetVersionDeps,
  input: { user: User; notebookId: string; version?: number },
): Promise<NotebookVersion & { download: PresignedRequest }> => {
  const notebook = await loadReadable(deps.notebooks, input.user, input.notebookId);
  const version = await loadVersion(deps, notebook, input.version);
  const stem = notebook.title.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || notebook.id;
  const fileName = `${stem}-v${version.version}.ipynb`;
  return { ...version, download: await deps.bodies.presignDownload(version.sha256, fileName, deps.limits.urlSeconds) };
};
