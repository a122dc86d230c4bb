import { NotFoundError } from '../domain/errors.ts';
import { canReadRun, type Run } from '../domain/run.ts';
import type { User } from '../domain/user.ts';
import type { RunDeps } from './run-deps.ts';

/**
 * Loads a run the user may read: who started it, the notebook's owner or an admin. Anyone else gets a 404,
 * also when the notebook is org-wide: its visibility never publishes other people's parameters and output.
 */
export const loadReadableRun = async (deps: Pick<RunDeps, 'runs'>, user: User, id: string): Promise<Run> => {
  const run = await deps.runs.getRun(id);
  if (!run || !canReadRun(user, run)) throw new NotFoundError(`run ${id} not found`);
  return run;
};

/** Loads a run the user may stop or rerun: the same people who may read it (so anyone else gets the same 404). */
export const loadControllableRun = loadReadableRun;
