import { ForbiddenError, NotFoundError } from '../domain/errors.ts';
import { canControlRun, canReadRun, type Run } from '../domain/run.ts';
import type { User } from '../domain/user.ts';
import type { RunDeps } from './run-deps.ts';

/** Loads a run the user may read; one they may not is a 404. */
export const loadReadableRun = async (deps: RunDeps, user: User, id: string): Promise<Run> => {
  const run = await deps.runs.getRun(id);
  const notebook = run ? await deps.notebooks.getNotebook(run.notebookId) : null;
  if (!run || !canReadRun(user, run, notebook)) throw new NotFoundError(`run ${id} not found`);
  return run;
};

/** Loads a run the user may stop or rerun: 404 if unreadable, 403 if read-only. */
export const loadControllableRun = async (deps: RunDeps, user: User, id: string): Promise<Run> => {
  const run = await loadReadableRun(deps, user, id);
  if (!canControlRun(user, run)) throw new ForbiddenError(`only ${run.owner}, the notebook's owner and admins may control run ${id}`);
  return run;
};
