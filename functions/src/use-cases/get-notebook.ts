import type { Notebook } from '../domain/notebook.ts';
import type { User } from '../domain/user.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadReadable } from './notebook-access.ts';

/** What reading a notebook needs. */
export type GetNotebookDeps = Pick<FoliumDeps, 'notebooks'>;

/** Reads one notebook the user may see (404 otherwise). */
export const getNotebook = (deps: GetNotebookDeps, input: { user: User; notebookId: string }): Promise<Notebook> =>
  loadReadable(deps.notebooks, input.user, input.notebookId);
