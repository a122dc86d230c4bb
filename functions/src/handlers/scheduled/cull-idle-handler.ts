import { usageByPool } from '../../domain/pool-usage.ts';
import { log } from '../../shared/logger.ts';
import type { EmitMetrics } from '../../shared/metrics.ts';
import { cullIdle } from '../../use-cases/cull-idle.ts';
import type { ServerDeps } from '../../use-cases/server-deps.ts';

/**
 * The EventBridge schedule's target: one sweep of the idle culler, its figures in the log and in metrics
 * (Culls, CullWarnings, CullProblems), then the ActiveServers gauge, one value per `Pool` dimension.
 * Counting is after the sweep, so servers it stopped are not counted; a failed count is logged, never
 * fails the sweep (the schedule would retry a sweep that already happened).
 */
export const makeCullHandler = (deps: ServerDeps, emit: EmitMetrics) => async () => {
  const sweep = await cullIdle(deps);
  log(sweep.problems.length ? 'warn' : 'info', 'cull sweep', { ...sweep });
  emit({}, { Culls: sweep.stopped, CullWarnings: sweep.warned, CullProblems: sweep.problems.length });
  try {
    for (const { pool, activeServers } of usageByPool(await deps.servers.listActiveServers(), deps.profiles)) emit({ Pool: pool }, { ActiveServers: activeServers });
  } catch (err) {
    log('warn', 'cannot count active servers', { error: (err as Error).message });
  }
  return sweep;
};
