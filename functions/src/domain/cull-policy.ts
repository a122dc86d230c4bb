import type { CullReason, Server } from './server.ts';

/** What the culler does with one server at one instant. */
export type CullDecision = { action: 'keep' } | { action: 'warn'; reason: CullReason; stopsAt: string } | { action: 'stop'; reason: CullReason };

/**
 * The cull rule, replaceable as a whole (jupyterhub-idle-culler's habit): `decide` says what to do
 * now, `nextCheck` when the answer could next change, which is the key of the index the culler reads.
 */
export interface CullPolicy {
  decide(server: Server, now: Date): CullDecision;
  /** The instant the culler should look again, or undefined when it never needs to (not RUNNING). */
  nextCheck(server: Server): string | undefined;
}

/** Tunables of the default policy. */
export interface CullSettings {
  /** How long before a stop the owner is warned; the warning always gives at least this long. */
  warnBeforeSeconds: number;
  /** A RUNNING server that has not reported for this long is stopped: its pod or process is gone or unreachable. */
  heartbeatSeconds: number;
}

/** Cull settings unless configuration says otherwise. */
export const DEFAULT_CULL_SETTINGS: CullSettings = { warnBeforeSeconds: 900, heartbeatSeconds: 1800 };

const at = (iso: string, plusSeconds = 0) => Date.parse(iso) + plusSeconds * 1000;

// Idle and max-age deadlines; the earlier decides, with the reason that goes with it.
const dueOf = (s: Server): { due: number; reason: CullReason } => {
  const idle = at(s.lastActivity, s.idleTimeoutSeconds);
  const age = at(s.startedAt ?? s.createdAt, s.maxAgeSeconds);
  return idle <= age ? { due: idle, reason: 'idle' } : { due: age, reason: 'max-age' };
};

// A warning stands only for the deadline it announced: idle activity after it answers it, so a stale one
// (a report that raced the warning's write) must not turn the next idle deadline into a stop without notice.
const standingWarning = (s: Server, reason: CullReason) =>
  s.cullWarning?.reason === reason && (reason !== 'idle' || Date.parse(s.cullWarning.warnedAt) >= Date.parse(s.lastActivity)) ? s.cullWarning : undefined;

const heartbeatDue = (s: Server, settings: CullSettings) => at(s.lastReportAt ?? s.startedAt ?? s.createdAt, settings.heartbeatSeconds);

/**
 * The default rule: only RUNNING servers are culled (never one mid-launch or mid-stop). A server
 * idle past its profile's timeout or older than its max age is first warned, then stopped once the
 * warning's time is up and it is still due; activity or keepAlive after a warning moves the deadline.
 */
export const defaultCullPolicy = (settings: CullSettings = DEFAULT_CULL_SETTINGS): CullPolicy => ({
  decide(server, now) {
    if (server.status !== 'RUNNING') return { action: 'keep' };
    const t = now.getTime();
    if (t >= heartbeatDue(server, settings)) return { action: 'stop', reason: 'no-heartbeat' };
    const { due, reason } = dueOf(server);
    if (t < due - settings.warnBeforeSeconds * 1000) return { action: 'keep' };
    const warning = standingWarning(server, reason);
    if (!warning) return { action: 'warn', reason, stopsAt: new Date(Math.max(due, t + settings.warnBeforeSeconds * 1000)).toISOString() };
    return t >= at(warning.stopsAt) && t >= due ? { action: 'stop', reason } : { action: 'keep' };
  },
  nextCheck(server) {
    if (server.status !== 'RUNNING') return undefined;
    const { due, reason } = dueOf(server);
    const warning = standingWarning(server, reason);
    const warned = warning ? Math.max(at(warning.stopsAt), due) : due - settings.warnBeforeSeconds * 1000;
    return new Date(Math.min(warned, heartbeatDue(server, settings))).toISOString();
  },
});
