import type { Server } from './server.ts';

/** What the culler's breaker read in one sweep: RUNNING servers, how many are silent, and whether it tripped. */
export interface CullBreakerReading {
  running: number;
  silent: number;
  /** The share of silent servers it trips above. */
  maxShare: number;
  tripped: boolean;
}

/** The share of silent RUNNING servers above which the breaker trips, unless configuration says otherwise. */
export const DEFAULT_CULL_BREAKER_SHARE = 0.2;

/** Fewer silent servers never trip it: one server falling silent alone is a dead pod, not a platform fault. */
export const CULL_BREAKER_MIN_SILENT = 2;

/**
 * The culler's circuit breaker. Servers die one at a time; many falling silent in the same window means
 * their reports are not arriving (the activity route throttled or down), which says nothing about the
 * servers. So when more than `maxShare` of the RUNNING servers (and at least CULL_BREAKER_MIN_SILENT) are
 * silent, the sweep stops and warns none of them for silence. `maxShare` 1 turns the breaker off.
 */
export const readCullBreaker = (
  servers: readonly Server[],
  isSilent: (s: Server) => boolean,
  maxShare: number = DEFAULT_CULL_BREAKER_SHARE,
): CullBreakerReading => {
  const running = servers.filter((s) => s.status === 'RUNNING');
  const silent = running.filter(isSilent).length;
  const tripped = silent >= CULL_BREAKER_MIN_SILENT && silent / running.length > maxShare;
  return { running: running.length, silent, maxShare, tripped };
};
