import { readCullBreaker, type CullBreakerReading } from '../domain/cull-breaker.ts';
import type { CullDecision } from '../domain/cull-policy.ts';
import type { CullReason, Server } from '../domain/server.ts';
import { claimEnd, finishEnd, type StoppedSparkSession } from './end-server.ts';
import { cullSparkSessions } from './cull-spark-sessions.ts';
import type { ServerDeps } from './server-deps.ts';
import type { SparkDeps } from './spark-deps.ts';

/**
 * What a sweep needs: the server records, compute to stop them, the notifier for warnings, the policy and time, and
 * the Spark sessions with their compute and rules (their maximum age).
 */
export type CullIdleDeps = Pick<
  ServerDeps,
  'servers' | 'compute' | 'notifier' | 'clock' | 'ids' | 'serverSettings' | 'cullPolicy'
> &
  Pick<SparkDeps, 'sparkSessions' | 'sparkCompute' | 'spark'>;

/** What one sweep did; `problems` says what failed (a teardown is retried by a later sweep). */
export interface CullSweep {
  at: string;
  itemsRead: number;
  examined: number;
  warned: number;
  stopped: number;
  /** Launches past their deadline that nothing recorded, and teardowns finished after an earlier failure. */
  repaired: number;
  /** Spark sessions stopped for their age (their servers kept running). */
  sparkStopped: number;
  problems: string[];
  /** Set when a server missed its heartbeat and the breaker was read (its items count in `itemsRead`). */
  breaker?: CullBreakerReport;
}

/** The breaker's reading in one sweep and the silence warnings and stops it held back. */
export interface CullBreakerReport extends CullBreakerReading {
  heldBackWarnings: number;
  heldBackStops: number;
}

const PAGE = 100;
const PARALLEL = 8;
// An index entry the policy says to keep is looked at again no sooner than this.
const RECHECK_MS = 60_000;

const explain = (s: Server, reason: CullReason) =>
  reason === 'idle'
    ? `idle since ${s.lastActivity} (timeout ${s.idleTimeoutSeconds} s)`
    : reason === 'max-age'
      ? `running since ${s.startedAt} (max age ${s.maxAgeSeconds} s)`
      : `silent: no report from the server since ${s.lastReportAt ?? s.startedAt}`;

// Activity or a keepalive answers idleness; only the server's report answers silence; only a relaunch the max age.
const remedy = (s: Server, reason: CullReason) =>
  reason === 'idle'
    ? `unless you use it or keep it alive: POST /servers/${s.name}/keepalive`
    : reason === 'no-heartbeat'
      ? 'unless it reports in before then: its pod or activity reporter may be gone; ' +
        'if Jupyter still answers, save your work'
      : "because it reached its profile's maximum age; save your work and launch it again";

// A silence decision is taken back by any report, which moves the cull check: the write expects the check it read.
const expectRead = (s: Server, reason: CullReason) =>
  reason === 'no-heartbeat'
    ? { lastActivity: s.lastActivity, cullCheckAt: s.cullCheckAt }
    : { lastActivity: s.lastActivity };

const warn = async (
  deps: CullIdleDeps,
  s: Server,
  d: Extract<CullDecision, { action: 'warn' }>,
  now: Date,
  sweep: CullSweep,
) => {
  const cullWarning = { reason: d.reason, warnedAt: now.toISOString(), stopsAt: d.stopsAt };
  const next = deps.cullPolicy.nextCheck({ ...s, cullWarning }) ?? null;
  const moved = await deps.servers.moveServer(
    s.id,
    ['RUNNING'],
    { cullWarning, cullCheckAt: next, updatedAt: now.toISOString() },
    { launchId: s.launchId, ...expectRead(s, d.reason) },
  );
  if (!moved) return;
  sweep.warned += 1;
  await deps.notifier.notify({
    user: s.owner,
    kind: 'cull-warning',
    ref: s.id,
    subject: `Server '${s.name}' will be stopped at ${d.stopsAt}`,
    text:
      `Your Orrery server '${s.name}' (${s.profile}, $${s.hourlyPrice}/h) is ${explain(s, d.reason)}. ` +
      `It will be stopped at ${d.stopsAt} ${remedy(s, d.reason)}.`,
  });
};

// The cull is logged once the claim is won, even when the teardown fails and a later sweep finishes it.
const stop = async (deps: CullIdleDeps, s: Server, reason: CullReason, now: Date, sweep: CullSweep) => {
  // A silent server is broken (its pod or process is gone), not merely unused.
  const final = reason === 'no-heartbeat' ? 'FAILED' : 'STOPPED';
  const claimed = await claimEnd(deps, s, {
    by: 'culler',
    reason: `culled: ${explain(s, reason)}`,
    final,
    expect: expectRead(s, reason),
    from: ['RUNNING'],
  });
  if (!claimed) return;
  sweep.stopped += 1;
  let sparkApplications: string[] = [];
  let sparkSessions: StoppedSparkSession[] = [];
  try {
    const ended = await finishEnd(deps, claimed);
    sparkApplications = ended.sparkApplications;
    sparkSessions = ended.sparkSessions;
    if (ended.sparkError) sweep.problems.push(ended.sparkError);
  } finally {
    await deps.servers.recordCull({
      id: deps.ids.next('cull'),
      at: now.toISOString(),
      serverId: s.id,
      owner: s.owner,
      name: s.name,
      profile: s.profile,
      reason,
      lastActivity: s.lastActivity,
      startedAt: s.startedAt,
      hourlyPrice: s.hourlyPrice,
      sparkApplications,
      ...(sparkSessions.length ? { sparkSessions } : {}),
    });
    // True in both modes: a stop keeps the home (the volume, the folder); only deleting the server removes it.
    const home = await deps.compute.describeHome(s.id).catch(() => 'its home');
    await deps.notifier.notify({
      user: s.owner,
      kind: 'cull-stop',
      ref: s.id,
      subject: `Server '${s.name}' was stopped`,
      text:
        `Your Orrery server '${s.name}' was stopped: ${explain(s, reason)}. ` +
        `Your files stay in ${home}; launch '${s.name}' again to work on them.`,
    });
  }
};

// STOPPING past its retry time: an earlier teardown failed; PENDING past its deadline: the launch's workflow ended
// without recording how.
const repair = async (deps: CullIdleDeps, s: Server, sweep: CullSweep) => {
  const how =
    s.status === 'STOPPING'
      ? {
          by: s.stoppedBy ?? 'platform',
          reason: s.reason ?? 'stopped',
          final: s.endAs ?? 'STOPPED',
          from: ['STOPPING'] as const,
        }
      : {
          by: 'platform',
          reason:
            `the launch did not finish within ${deps.serverSettings.launch.timeoutSeconds} s ` +
            'and nothing recorded why',
          final: 'FAILED' as const,
          from: ['PENDING'] as const,
        };
  const claimed = await claimEnd(deps, s, { ...how, expect: { cullCheckAt: s.cullCheckAt } });
  if (!claimed) return;
  sweep.repaired += 1;
  const ended = await finishEnd(deps, claimed);
  if (ended.sparkError) sweep.problems.push(ended.sparkError);
};

type Breaker = () => Promise<CullBreakerReport | undefined>;

// Read once per sweep, and only when some server is silent, so a healthy sweep still reads only the due servers.
// A failed count holds silence decisions back: a sweep that cannot tell a platform fault from a dead pod waits.
const breakerOf = (deps: CullIdleDeps, now: Date, sweep: CullSweep): Breaker => {
  let reading: Promise<CullBreakerReport | undefined> | undefined;
  const read = async () => {
    const active = await deps.servers.listActiveServers();
    sweep.itemsRead += active.length;
    const r = readCullBreaker(active, (s) => deps.cullPolicy.silent(s, now), deps.serverSettings.cull.breakerShare);
    sweep.breaker = { ...r, heldBackWarnings: 0, heldBackStops: 0 };
    return sweep.breaker;
  };
  return () =>
    (reading ??= read().catch((err: unknown) => {
      const why = (err as Error)?.message ?? String(err);
      sweep.problems.push(
        `cannot count the running servers for the heartbeat breaker, so none is culled for silence this sweep: ${why}`,
      );
      return undefined;
    }));
};

// A decision about a silent server goes ahead only when the breaker was read and did not trip; otherwise the server
// is judged without its heartbeat (max age alone), and the warning or stop held back is counted. That covers idle
// decisions too: a silent server's last activity is only as fresh as its last report, so when reports are failing
// its idleness is unknown (with a 30-minute idle timeout, idle comes due before silence does).
const decide = async (deps: CullIdleDeps, s: Server, now: Date, breaker: Breaker): Promise<CullDecision> => {
  const d = deps.cullPolicy.decide(s, now);
  if (d.action === 'keep' || d.reason === 'max-age') return d;
  if (d.reason !== 'no-heartbeat' && !deps.cullPolicy.silent(s, now)) return d;
  const b = await breaker();
  if (b && !b.tripped) return d;
  if (b) b[d.action === 'warn' ? 'heldBackWarnings' : 'heldBackStops'] += 1;
  return deps.cullPolicy.decide(s, now, { heartbeats: false });
};

const cullOne = async (deps: CullIdleDeps, s: Server, now: Date, sweep: CullSweep, breaker: Breaker) => {
  sweep.examined += 1;
  if (s.status === 'PENDING' || s.status === 'STOPPING') return repair(deps, s, sweep);
  const d = await decide(deps, s, now, breaker);
  if (d.action === 'warn') return warn(deps, s, d, now, sweep);
  if (d.action === 'stop') return stop(deps, s, d.reason, now, sweep);
  // The entry was early (activity raced the read, or the policy changed): put it where it belongs.
  const next = deps.cullPolicy.nextCheck(s);
  const at = next && Date.parse(next) > now.getTime() ? next : new Date(now.getTime() + RECHECK_MS).toISOString();
  await deps.servers.moveServer(
    s.id,
    ['RUNNING'],
    { cullCheckAt: at, updatedAt: now.toISOString() },
    { launchId: s.launchId, lastActivity: s.lastActivity },
  );
};

/**
 * One sweep of the idle culler (EventBridge schedule in the cloud, the local cron locally):
 * 1. Query the servers whose check is due: the index holds RUNNING servers keyed by when the policy
 *    next needs to look (plus launches and teardowns by their deadline), so a sweep reads about the
 *    due ones, never all.
 * 2. Ask the policy about each RUNNING one: warn the owner (a notice, and a keepAlive that buys time),
 *    or stop it (pod, Service, Spark applications) and log the cull with its reason, or put it back.
 *    Launches and stops are never culled; one past its deadline is finished (FAILED, or its stop).
 * 3. Before the first warning or stop for silence, read the breaker over every RUNNING server (one Query of
 *    the active servers): when too many are silent at once, their reports are failing, not the servers, so
 *    no server is warned or stopped for silence this sweep (`breaker` says how many were held back).
 * 4. Stop the Spark sessions past their maximum age (cullSparkSessions), each logged as a cull of its own.
 * Every change is conditional on the state read, so two sweeps at once stop a server once; one
 * server's failure is reported in `problems` and does not stop the sweep.
 */
export const cullIdle = async (deps: CullIdleDeps): Promise<CullSweep> => {
  const now = deps.clock.now();
  const sweep: CullSweep = {
    at: now.toISOString(),
    itemsRead: 0,
    examined: 0,
    warned: 0,
    stopped: 0,
    repaired: 0,
    sparkStopped: 0,
    problems: [],
  };
  const breaker = breakerOf(deps, now, sweep);
  let after: string | undefined;
  do {
    const page = await deps.servers.listCullCandidates(now.toISOString(), { after, limit: PAGE });
    sweep.itemsRead += page.itemsRead;
    for (let i = 0; i < page.items.length; i += PARALLEL) {
      const batch = page.items.slice(i, i + PARALLEL);
      const results = await Promise.allSettled(batch.map((s) => cullOne(deps, s, now, sweep, breaker)));
      for (const [k, r] of results.entries()) {
        if (r.status === 'rejected' && sweep.problems.length < 50)
          sweep.problems.push(`${batch[k]!.id}: ${(r.reason as Error)?.message ?? r.reason}`);
      }
    }
    after = page.next;
  } while (after);
  await cullSparkSessions(deps, now, sweep);
  return sweep;
};
