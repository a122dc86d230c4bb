import { loadConfig } from '../../shared/config.ts';
import { makeCloudDeps } from '../../shared/container.ts';
import { log } from '../../shared/logger.ts';
import { emitMetrics } from '../../shared/metrics.ts';
import { cullIdle } from '../../use-cases/cull-idle.ts';

const deps = makeCloudDeps(loadConfig(process.env));

/** The EventBridge schedule's target: one sweep of the idle culler, its figures in the log and in metrics. */
export const handler = async () => {
  const sweep = await cullIdle(deps);
  log(sweep.problems.length ? 'warn' : 'info', 'cull sweep', { ...sweep });
  emitMetrics({}, { Culls: sweep.stopped, CullWarnings: sweep.warned, CullProblems: sweep.problems.length });
  return sweep;
};
