import type { NotebookVersion } from '../domain/notebook.ts';
import type { User } from '../domain/user.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadReadable } from './notebook-access.ts';

/** What listing versions needs. */
export type ListVersionsDeps = Pick<FoliumDeps, 'notebooks' | 'cursors'>;

/**
 * Lists a notebook's versions, oldest first.
 * 1. Load the notebook the user may read.
 * 2. Read one page of versions after the cursor (a version number, sealed to this notebook).
 */
export const listVersions = async (
  deps: ListVersionsDeps,
  input: { user: User; notebookId: string; limit: number; cursor?: string },
): Promise<{ items: NotebookVersion[]; nextCursor: string | null }> => {
  await loadReadable(deps.notebooks, input.user, input.notebookId);
  const scope = `versions:${input.notebookId}`;
  const after = input.cursor ? Number(deps.cursors.decode(scope, input.cursor)) : undefined;
  const page = await deps.notebooks.listVersions(input.notebookId, { after, limit: input.limit });
  return {
    items: page.items,
    nextCursor: page.next === undefined ? null : deps.cursors.encode(scope, String(page.next)),
  };
};
