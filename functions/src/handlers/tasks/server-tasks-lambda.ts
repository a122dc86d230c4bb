import { loadConfig } from '../../shared/config.ts';
import { makeCloudDeps } from '../../shared/container.ts';
import { emitMetrics } from '../../shared/metrics.ts';
import { makeServerTasks, type ServerTaskPayload } from './server-tasks.ts';

const tasks = makeServerTasks(makeCloudDeps(loadConfig(process.env)));

/** Lambda entry of every Task state of the launch-server workflow (the step is in the payload); counts launches. */
export const handler = async (payload: ServerTaskPayload): Promise<unknown> => {
  const result = (await tasks(payload)) as { state?: string; status?: string } | undefined;
  // The pool is not in the payload, so these counts carry no dimension.
  if (payload.step === 'markRunning' && result?.state === 'running') emitMetrics({}, { ServersStarted: 1 });
  if (payload.step === 'recordFailure' && result?.status === 'FAILED') emitMetrics({}, { ServerLaunchesFailed: 1 });
  return result;
};
