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

// Executors first (the money), then the record; a cull is logged only when this sweep's stop won.
const stopOld = async (deps: CullSparkDeps, s: SparkSession, now: Date, sweep: SparkSweep) => {
  await deps.sparkCompute.stopSession(s.serverId, s.id);
  const costSoFarUsd = sparkCostSoFar(s, now);
  const stopped = await deps.sparkSessions.stopSession(s.id, {
    stoppedAt: now.toISOString(),
    stopReason: 'max-age',
    costSoFarUsd,
  });
  if (!stopped) return;
  sweep.sparkStopped += 1;
  const server = await deps.servers.getServer(s.serverId);
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
  const maxHours = hoursOf(deps.spark.rules.maxAgeSeconds);
  await deps.notifier.notify({
    user: s.owner,
    subject: `Spark session ${s.appName} on '${s.serverName}' was stopped`,
    text:
      `Your Spark session ${s.appName} (${s.id}) on server '${s.serverName}' was stopped: it ran since ${s.createdAt}, ` +
      `past the maximum of ${maxHours} h. It cost at most $${costSoFarUsd.toFixed(2)}. Your server keeps running; ` +
      'start a new session to go on.',
  });
};

/**
 * The culler's Spark part: stops every ACTIVE session older than the rules' maximum age (`max-age`): its executors
 * (SparkCompute.stopSession), then its record with its cost so far, then a cull record of its own
 * (`spark-max-age`, naming the server, which keeps running) and a notice to the owner. One Query of the sparse
 * active index, oldest first, so the reading stops at the first session still young enough. A failure is a problem
 * of the sweep, not its end.
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
  for (const s of active) {
    if (Date.parse(s.createdAt) > limit) break;
    try {
      await stopOld(deps, s, now, sweep);
    } catch (err) {
      if (sweep.problems.length < 50) sweep.problems.push(`Spark session ${s.id}: ${(err as Error).message}`);
    }
  }
};
