import type { Notebook } from '../domain/notebook.ts';
import type { User } from '../domain/user.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadReadable } from './notebook-access.ts';

/** Reads one notebook the user may see (404 otherwise). */
export const getNotebook = (deps: FoliumDeps, input: { user: User; notebookId: string }): Promise<Notebook> =>
  loadReadable(deps.notebooks, input.user, input.notebookId);
