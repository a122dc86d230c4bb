import type { Profile } from '../../domain/profile.ts';
import type { Server } from '../../domain/server.ts';
import { log } from '../../shared/logger.ts';
import type { EmitMetrics } from '../../shared/metrics.ts';
import { cullIdle } from '../../use-cases/cull-idle.ts';
import type { ServerDeps } from '../../use-cases/server-deps.ts';

/** The pool a server of an unknown (since removed) profile is counted under. */
export const UNKNOWN_POOL = 'unknown';

/**
 * Active servers per pool kind: every pool of the registry appears, with 0 when none is active, so the
 * dashboard's line drops to zero instead of stopping at the last non-zero value.
 */
export const countActiveByPool = (servers: readonly Pick<Server, 'profile'>[], profiles: readonly Profile[]): Record<string, number> => {
  const poolOf = new Map(profiles.map((p) => [p.slug, p.pool.kind as string]));
  const counts: Record<string, number> = Object.fromEntries(profiles.map((p) => [p.pool.kind, 0]));
  for (const s of servers) {
    const pool = poolOf.get(s.profile) ?? UNKNOWN_POOL;
    counts[pool] = (counts[pool] ?? 0) + 1;
  }
  return counts;
};

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
    const counts = countActiveByPool(await deps.servers.listActiveServers(), deps.profiles);
    for (const [pool, active] of Object.entries(counts)) emit({ Pool: pool }, { ActiveServers: active });
  } catch (err) {
    log('warn', 'cannot count active servers', { error: (err as Error).message });
  }
  return sweep;
};
