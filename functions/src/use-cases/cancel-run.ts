import { ConflictError } from '../domain/errors.ts';
import { statusesBefore } from '../domain/run.ts';
import type { User } from '../domain/user.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { viewRun, type RunView, type ViewRunDeps } from './get-run.ts';
import { loadControllableRun } from './run-access.ts';
import type { RunDeps } from './run-deps.ts';

/** What stopping a run needs: its record, its workflow, the time. */
export type CancelRunDeps = ViewRunDeps & Pick<RunDeps, 'runs' | 'workflows'> & Pick<FoliumDeps, 'clock'>;

/**
 * Stops a run.
 * 1. Load it; who started it, the notebook's owner and admins may stop it. A finished run is a 409.
 * 2. Mark it STOPPING (so a launch that has not happened yet never happens), then stop its
 *    workflow's runner; the workflow records STOPPED with the partial output kept.
 */
export const cancelRun = async (deps: CancelRunDeps, input: { user: User; runId: string }): Promise<RunView> => {
  const run = await loadControllableRun(deps, input.user, input.runId);
  if (run.status === 'STOPPING') {
    // Stopping is idempotent: a stop whose first attempt failed half-way is sent again.
    await deps.workflows.stopRun(run.id);
    return viewRun(deps, run);
  }
  const stopping = await deps.runs.moveRun(run.id, statusesBefore('STOPPING'), {
    status: 'STOPPING',
    stopRequestedBy: input.user.id,
    updatedAt: deps.clock.now().toISOString(),
  });
  if (!stopping) {
    const now = await deps.runs.getRun(run.id);
    throw new ConflictError(`run ${run.id} has already ended (${now?.status ?? run.status})`, 'run_ended');
  }
  await deps.workflows.stopRun(run.id);
  return viewRun(deps, stopping);
};
