import { loadConfig } from '../../shared/config.ts';
import { makeCloudDeps } from '../../shared/container.ts';
import { emitMetrics } from '../../shared/metrics.ts';
import { makeRunTasks } from './run-tasks.ts';

const tasks = makeRunTasks(makeCloudDeps(loadConfig(process.env)));

// The dashboard and the failure-rate alarm read these names; a status not listed (none today) emits nothing.
const ENDED_METRIC: Record<string, string> = { COMPLETED: 'RunsCompleted', FAILED: 'RunsFailed', STOPPED: 'RunsStopped' };

/** Lambda entry of the Prepare state; counts the run as started once it is prepared. */
export const prepare: typeof tasks.prepare = async (input) => {
  const prepared = await tasks.prepare(input);
  emitMetrics({}, { RunsStarted: 1 });
  return prepared;
};
/** Lambda entry of the MarkStarted state. */
export const markStarted = tasks.markStarted;
/** Lambda entry of the Finalize and RecordFailure states; counts the run by how it ended. */
export const finalize: typeof tasks.finalize = async (input) => {
  const result = await tasks.finalize(input);
  const name = ENDED_METRIC[result.status];
  if (name) emitMetrics({}, { [name]: 1 });
  return result;
};
