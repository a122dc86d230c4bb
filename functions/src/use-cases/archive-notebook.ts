import type { Notebook } from '../domain/notebook.ts';
import type { User } from '../domain/user.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadWritable } from './notebook-access.ts';

/** What archiving a notebook needs. */
export type ArchiveNotebookDeps = Pick<FoliumDeps, 'notebooks' | 'clock'>;

/**
 * Archives a notebook: gone from every listing, versions readable by owner and admins only.
 * 1. Load it; only the owner and admins may archive. Archiving an archived notebook changes nothing.
 */
export const archiveNotebook = async (
  deps: ArchiveNotebookDeps,
  input: { user: User; notebookId: string },
): Promise<Notebook> => {
  const notebook = await deps.notebooks.getNotebook(input.notebookId);
  if (notebook?.archived && (input.user.admin || notebook.owner === input.user.id)) return notebook;
  await loadWritable(deps.notebooks, input.user, input.notebookId);
  return deps.notebooks.archiveNotebook(input.notebookId, deps.clock.now().toISOString());
};
