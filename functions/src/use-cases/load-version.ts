import { NotFoundError } from '../domain/errors.ts';
import type { Notebook, NotebookVersion } from '../domain/notebook.ts';
import type { User } from '../domain/user.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadReadable } from './notebook-access.ts';

/** What resolving a version needs. */
export type LoadVersionDeps = Pick<FoliumDeps, 'notebooks'>;

/** Resolves `latest` (or no version) to the newest committed version; 404 when there is none. */
export const loadVersion = async (
  deps: LoadVersionDeps,
  notebook: Notebook,
  version?: number,
): Promise<NotebookVersion> => {
  const number = version ?? (await deps.notebooks.highestVersion(notebook.id));
  const found = number > 0 ? await deps.notebooks.getVersion(notebook.id, number) : null;
  if (!found)
    throw new NotFoundError(
      version
        ? `notebook ${notebook.id} has no version ${version}`
        : `notebook ${notebook.id} has no committed version yet`,
    );
  return found;
};

/** Reads the notebook, version record and body bytes of one version the user may read. */
export const readVersionBody = async (
  deps: Pick<FoliumDeps, 'notebooks' | 'bodies'>,
  input: { user: User; notebookId: string; version?: number },
): Promise<{ notebook: Notebook; version: NotebookVersion; bytes: Uint8Array }> => {
  const notebook = await loadReadable(deps.notebooks, input.user, input.notebookId);
  const version = await loadVersion(deps, notebook, input.version);
  return { notebook, version, bytes: await deps.bodies.getBody(version.sha256) };
};
