import type { Server } from '../domain/server.ts';
import type { SparkSession } from '../domain/spark-session.ts';
import type { ServerDeps } from './server-deps.ts';
import { sparkCostSoFar, type SparkDeps } from './spark-deps.ts';

/** What stopping old sessions needs: their records and compute, the rules, the cull log, the notifier. */
export type CullSparkDeps = Pick<ServerDeps, 'servers' | 'notifier' | 'ids'> &
  Pick<SparkDeps, 'sparkSessions' | 'sparkCompute' | 'spark'>;

/** The part of a cull sweep's report this adds to. */
export interface SparkSweep {
  itemsRead: number;
  sparkStopped: number;
  problems: string[];
}

const hoursOf = (seconds: number) => Math.round((seconds / 3600) * 10) / 10;

const problem = (sweep: SparkSweep, text: string) => {
  if (sweep.problems.length < 50) sweep.problems.push(text);
};

/**
 * When a session's server ended, if it did: the server is gone, no longer launching or running, or relaunched since
 * the session started (a launch replaces the record, so its createdAt is the launch's). Its cost counts up to then.
 */
export const serverEndOf = (s: SparkSession, server: Server | null | undefined, now: Date): Date | undefined => {
  if (!server) return now;
  if (Date.parse(s.createdAt) < Date.parse(server.createdAt)) return new Date(server.createdAt);
  if (server.status === 'PENDING' || server.status === 'RUNNING') return undefined;
  return server.stoppedAt ? new Date(Math.min(Date.parse(server.stoppedAt), now.getTime())) : now;
};

// A teardown that could not mark its sessions leaves them ACTIVE: their executors, if any are left, then the record.
const stopOrphan = async (deps: CullSparkDeps, s: SparkSession, until: Date, sweep: SparkSweep) => {
  await deps.sparkCompute.stopSession(s.serverId, s.id);
  const stopped = await deps.sparkSessions.stopSession(s.id, {
    stoppedAt: until.toISOString(),
    stopReason: 'server-ended',
    costSoFarUsd: sparkCostSoFar(s, until),
  });
  if (stopped) sweep.sparkStopped += 1;
};

// Executors first (the money), then the cull record, then the session's: a cull log write that fails leaves the
// session ACTIVE for the next sweep to finish (a second record of one cull is harmless; a lost one is not).
const stopOld = async (
  deps: CullSparkDeps,
  s: SparkSession,
  server: Server | null | undefined,
  now: Date,
  sweep: SparkSweep,
) => {
  await deps.sparkCompute.stopSession(s.serverId, s.id);
  const costSoFarUsd = sparkCostSoFar(s, now);
  await deps.servers.recordCull({
    id: deps.ids.next('cull'),
    at: now.toISOString(),
    serverId: s.serverId,
    owner: s.owner,
    name: s.serverName,
    profile: server?.profile ?? '-',
    reason: 'spark-max-age',
    lastActivity: server?.lastActivity ?? s.createdAt,
    startedAt: s.createdAt,
    hourlyPrice: s.cost.maxHourlyUsd,
    sparkApplications: [s.appId],
    sparkSessions: [{ id: s.id, appName: s.appName, costSoFarUsd }],
  });
  const stopped = await deps.sparkSessions.stopSession(s.id, {
    stoppedAt: now.toISOString(),
    stopReason: 'max-age',
    costSoFarUsd,
  });
  if (!stopped) return;
  sweep.sparkStopped += 1;
  const maxHours = hoursOf(deps.spark.rules.maxAgeSeconds);
  try {
    await deps.notifier.notify({
      user: s.owner,
      kind: 'cull-stop',
      ref: s.id,
      subject: `Spark session ${s.appName} on '${s.serverName}' was stopped`,
      text:
        `Your Spark session ${s.appName} (${s.id}) on server '${s.serverName}' was stopped: it ran since ` +
        `${s.createdAt}, past the maximum of ${maxHours} h. It cost at most $${costSoFarUsd.toFixed(2)}. Your ` +
        'server keeps running; start a new session to go on.',
    });
  } catch (err) {
    problem(
      sweep,
      `Spark session ${s.id} of ${s.owner} was stopped (at most $${costSoFarUsd.toFixed(2)}) but its owner was ` +
        `not told: ${(err as Error).message}`,
    );
  }
};

/**
 * The culler's Spark part, over every ACTIVE session (one Query of the sparse active index, oldest first):
 * 1. A session whose server ended (gone, not PENDING or RUNNING, or relaunched since; serverEndOf) is stopped
 *    (`server-ended`, its cost up to the server's end): the server's teardown could not mark it.
 * 2. A session older than the rules' maximum age is stopped (`max-age`): its executors (SparkCompute.stopSession),
 *    a cull record of its own (`spark-max-age`, naming the server, which keeps running), its record with its cost
 *    so far, and a notice to the owner.
 * A failure is a problem of the sweep, not its end.
 */
export const cullSparkSessions = async (deps: CullSparkDeps, now: Date, sweep: SparkSweep): Promise<void> => {
  const limit = now.getTime() - deps.spark.rules.maxAgeSeconds * 1000;
  let active: SparkSession[];
  try {
    active = await deps.sparkSessions.listActive();
  } catch (err) {
    sweep.problems.push(`cannot list the active Spark sessions: ${(err as Error).message}`);
    return;
  }
  sweep.itemsRead += active.length;
  const servers = new Map<string, Promise<Server | null>>();
  for (const s of active) {
    try {
      if (!servers.has(s.serverId)) servers.set(s.serverId, deps.servers.getServer(s.serverId));
      const server = await servers.get(s.serverId);
      const ended = serverEndOf(s, server, now);
      if (ended) await stopOrphan(deps, s, ended, sweep);
      else if (Date.parse(s.createdAt) <= limit) await stopOld(deps, s, server, now, sweep);
    } catch (err) {
      problem(sweep, `Spark session ${s.id}: ${(err as Error).message}`);
    }
  }
};
