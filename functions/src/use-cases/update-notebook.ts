import { ValidationError } from '../domain/errors.ts';
import { checkTags, type Notebook, type Visibility } from '../domain/notebook.ts';
import type { User } from '../domain/user.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadWritable } from './notebook-access.ts';

/** What changing a notebook's fields needs. */
export type UpdateNotebookDeps = Pick<FoliumDeps, 'notebooks' | 'clock'>;

/** The metadata fields PATCH may change. */
export interface NotebookPatch {
  title?: string;
  description?: string;
  tags?: string[];
  group?: string | null;
  visibility?: Visibility;
}

/**
 * Edits a notebook's metadata.
 * 1. Load it; only the owner and admins may change it, and not once archived.
 * 2. Check tags and that 'team' visibility has a team to share with.
 * 3. Write the changes (the store keeps the tag index in step).
 */
export const updateNotebook = async (
  deps: UpdateNotebookDeps,
  input: { user: User; notebookId: string; patch: NotebookPatch },
): Promise<Notebook> => {
  const notebook = await loadWritable(deps.notebooks, input.user, input.notebookId);
  const tags = input.patch.tags ? [...new Set(input.patch.tags)] : undefined;
  const problems = tags ? checkTags(tags) : [];
  if (problems.length) throw new ValidationError(problems.map((p) => p.message).join('; '), problems);
  if (input.patch.visibility === 'team' && !notebook.team) {
    throw new ValidationError(
      `notebook ${notebook.id} belongs to no team, so it cannot be shared with one; use 'private' or 'org'`,
    );
  }
  return deps.notebooks.updateNotebook(notebook.id, {
    ...input.patch,
    tags,
    updatedAt: deps.clock.now().toISOString(),
  });
};
