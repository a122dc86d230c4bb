import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors.ts';
import { canRead, canWrite, type Notebook } from '../domain/notebook.ts';
import type { User } from '../domain/user.ts';
import type { NotebookStore } from '../ports/notebook-store.ts';

/** Loads a notebook the user may read; one they may not read is a 404, never a 403. */
export const loadReadable = async (store: NotebookStore, user: User, id: string): Promise<Notebook> => {
  const nb = await store.getNotebook(id);
  if (!nb || !canRead(user, nb)) throw new NotFoundError(`notebook ${id} not found`);
  return nb;
};

/** Loads a live notebook the user may change: 404 if unreadable, 403 if read-only, 409 if archived. */
export const loadWritable = async (store: NotebookStore, user: User, id: string): Promise<Notebook> => {
  const nb = await loadReadable(store, user, id);
  if (!canWrite(user, nb))
    throw new ForbiddenError(`only the owner (${nb.owner}) and admins may change notebook ${id}`);
  if (nb.archived) throw new ConflictError(`notebook ${id} is archived; it can no longer change`, 'archived');
  return nb;
};
