import { CULL_BREAKER_METRIC } from '../../contracts/metric-names.ts';
import { usageByPool } from '../../domain/pool-usage.ts';
import { log } from '../../observability/logger.ts';
import type { EmitMetrics } from '../../observability/metrics.ts';
import { advanceIndexing, type AdvanceIndexingDeps } from '../../use-cases/advance-indexing.ts';
import { cullIdle, type CullIdleDeps, type CullSweep } from '../../use-cases/cull-idle.ts';
import type { ServerDeps } from '../../use-cases/server-deps.ts';

/**
 * What the culler needs: a sweep's ports, the profile registry to count active servers by pool, and the notebook
 * store, whose indexes each sweep brings a step closer to the current layout (nothing to do once done).
 */
export type CullerDeps = CullIdleDeps & Pick<ServerDeps, 'profiles'> & AdvanceIndexingDeps;

// A failed step is logged and tried again at the next sweep; the sweep itself happened and must not be retried.
const indexStep = async (deps: AdvanceIndexingDeps) => {
  try {
    const step = await advanceIndexing(deps);
    if (step.indexed) log('info', 'indexed notebooks for listings', { ...step });
  } catch (err) {
    log('warn', 'cannot index notebooks for listings', { error: (err as Error).message });
  }
};

/**
 * Says so when the sweep's breaker tripped: a warning in the log with how many servers were silent and how
 * many silence warnings and stops it held back, and CullBreakerTripped = 1. Both the Lambda and the local cron use it.
 */
export const reportCullBreaker = (sweep: CullSweep, emit: EmitMetrics): void => {
  const b = sweep.breaker;
  if (!b?.tripped) return;
  const share = +(b.maxShare * 100).toFixed(1);
  const message =
    `cull breaker tripped: ${b.silent} of ${b.running} running servers missed their heartbeat ` +
    `(more than ${share} %); ` +
    `held back ${b.heldBackWarnings} warnings and ${b.heldBackStops} stops for missing heartbeats`;
  log('warn', message, { ...b });
  emit({}, { [CULL_BREAKER_METRIC]: 1 }, { [CULL_BREAKER_METRIC]: 'Count' });
};

/**
 * The EventBridge schedule's target: one sweep of the idle culler, its figures in the log and in metrics
 * (Culls, CullWarnings, CullProblems, and CullBreakerTripped when the breaker held silence culls back), then
 * the ActiveServers gauge, one value per `Pool` dimension. Counting is after the sweep, so servers it stopped
 * are not counted; a failed count is logged, never fails the sweep (the schedule would retry a sweep that
 * already happened). Only values above zero are published: CloudWatch bills a custom metric for each hour it gets
 * a value, so a sweep every few minutes of an idle platform would cost about $0.30 a month per metric for zeros (the
 * alarms treat missing data as not breaching, and the dashboard's graphs show no line instead of a zero).
 */
export const makeCullHandler = (deps: CullerDeps, emit: EmitMetrics) => async () => {
  const sweep = await cullIdle(deps);
  log(sweep.problems.length ? 'warn' : 'info', 'cull sweep', { ...sweep });
  const counts = { Culls: sweep.stopped, CullWarnings: sweep.warned, CullProblems: sweep.problems.length };
  const happened = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
  if (Object.keys(happened).length) emit({}, happened);
  reportCullBreaker(sweep, emit);
  await indexStep(deps);
  try {
    for (const { pool, activeServers } of usageByPool(await deps.servers.listActiveServers(), deps.profiles))
      if (activeServers > 0) emit({ Pool: pool }, { ActiveServers: activeServers });
  } catch (err) {
    log('warn', 'cannot count active servers', { error: (err as Error).message });
  }
  return sweep;
};
