import type { CullReason, Server } from './server.ts';

/** What the culler does with one server at one instant. */
export type CullDecision =
  | { action: 'keep' }
  | { action: 'warn'; reason: CullReason; stopsAt: string }
  | { action: 'stop'; reason: CullReason };

/** How a sweep asks: `heartbeats: false` while the culler's breaker is tripped (silence then proves nothing). */
export interface CullDecideOptions {
  heartbeats?: boolean;
}

/**
 * The cull rule, replaceable as a whole (jupyterhub-idle-culler's habit): `decide` says what to do
 * now, `nextCheck` when the answer could next change, which is the key of the index the culler reads.
 */
export interface CullPolicy {
  decide(server: Server, now: Date, options?: CullDecideOptions): CullDecision;
  /** The instant the culler should look again, or undefined when it never needs to (not RUNNING). */
  nextCheck(server: Server): string | undefined;
  /** Whether a RUNNING server has missed its heartbeat at `now`: what the culler's breaker counts. */
  silent(server: Server, now: Date): boolean;
}

/** Tunables of the default policy and of the culler that follows it. */
export interface CullSettings {
  /** How long before a stop the owner is warned; the warning always gives at least this long. */
  warnBeforeSeconds: number;
  /** A RUNNING server that has not reported for this long is warned, then stopped: its pod or process is gone. */
  heartbeatSeconds: number;
  /** The culler's breaker trips when more than this share (0..1) of RUNNING servers is silent (default 0.2). */
  breakerShare?: number;
}

/** Cull settings unless configuration says otherwise. */
export const DEFAULT_CULL_SETTINGS: CullSettings = { warnBeforeSeconds: 900, heartbeatSeconds: 1800 };

type Deadline = { due: number; reason: CullReason };

const at = (iso: string, plusSeconds = 0) => Date.parse(iso) + plusSeconds * 1000;

const lastHeard = (s: Server) => s.lastReportAt ?? s.startedAt ?? s.createdAt;

// The instant a server counts as silent: no report for the heartbeat time.
const silentAt = (s: Server, settings: CullSettings) => at(lastHeard(s), settings.heartbeatSeconds);

// Idle, max-age and silence deadlines. Silence is warned the moment it starts, so its deadline is a warning time later.
const deadlinesOf = (s: Server, settings: CullSettings): Record<CullReason, Deadline> => ({
  idle: { due: at(s.lastActivity, s.idleTimeoutSeconds), reason: 'idle' },
  'max-age': { due: at(s.startedAt ?? s.createdAt, s.maxAgeSeconds), reason: 'max-age' },
  'no-heartbeat': { due: silentAt(s, settings) + settings.warnBeforeSeconds * 1000, reason: 'no-heartbeat' },
});

// The earliest deadline decides, with its reason; on a tie idle comes first, then max age.
const earliest = (deadlines: Deadline[]) => deadlines.reduce((a, b) => (b.due < a.due ? b : a));

// Which deadlines count now. While heartbeats are set aside, a silent server's activity is unknown (its reports
// are not arriving), so only its age can end it: a platform fault must not pass for idleness.
const countedDeadlines = (s: Server, settings: CullSettings, t: number, heartbeats: boolean): Deadline[] => {
  const d = deadlinesOf(s, settings);
  if (heartbeats) return [d.idle, d['max-age'], d['no-heartbeat']];
  return t >= silentAt(s, settings) ? [d['max-age']] : [d.idle, d['max-age']];
};

// A warning stands only for the deadline it announced: idle activity after it answers an idle warning and any
// report answers a silence warning, so a stale one (a report that raced the warning's write) must not turn the
// next deadline into a stop without notice.
const standingWarning = (s: Server, reason: CullReason) => {
  const w = s.cullWarning;
  if (w?.reason !== reason) return undefined;
  const answeredBy = reason === 'idle' ? s.lastActivity : reason === 'no-heartbeat' ? lastHeard(s) : undefined;
  return answeredBy === undefined || Date.parse(w.warnedAt) >= Date.parse(answeredBy) ? w : undefined;
};

/**
 * The default rule: only RUNNING servers are culled (never one mid-launch or mid-stop). A server
 * idle past its profile's timeout, older than its max age or silent for the heartbeat time is first
 * warned, then stopped once the warning's time is up and it is still due; activity or keepAlive after
 * an idle warning, and any report after a silence warning, move the deadline.
 */
export const defaultCullPolicy = (settings: CullSettings = DEFAULT_CULL_SETTINGS): CullPolicy => {
  const warnMs = settings.warnBeforeSeconds * 1000;
  return {
    decide(server, now, options = {}) {
      if (server.status !== 'RUNNING') return { action: 'keep' };
      const t = now.getTime();
      const { due, reason } = earliest(countedDeadlines(server, settings, t, options.heartbeats !== false));
      if (t < due - warnMs) return { action: 'keep' };
      const warning = standingWarning(server, reason);
      if (!warning) return { action: 'warn', reason, stopsAt: new Date(Math.max(due, t + warnMs)).toISOString() };
      return t >= at(warning.stopsAt) && t >= due ? { action: 'stop', reason } : { action: 'keep' };
    },
    nextCheck(server) {
      if (server.status !== 'RUNNING') return undefined;
      const { due, reason } = earliest(countedDeadlines(server, settings, 0, true));
      const warning = standingWarning(server, reason);
      return new Date(warning ? Math.max(at(warning.stopsAt), due) : due - warnMs).toISOString();
    },
    silent(server, now) {
      return server.status === 'RUNNING' && now.getTime() >= silentAt(server, settings);
    },
  };
};
