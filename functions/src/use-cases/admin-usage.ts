import { ForbiddenError } from '../domain/errors.ts';
import { hourlyCostOf, usageByPool, type PoolUsage } from '../domain/pool-usage.ts';
import type { Profile } from '../domain/profile.ts';
import { RUN_STATUSES } from '../domain/run.ts';
import type { User } from '../domain/user.ts';
import type { Clock } from '../ports/clock.ts';
import type { RunStore } from '../ports/run-store.ts';
import type { ServerStore } from '../ports/server-store.ts';
import type { SparkSession } from '../domain/spark-session.ts';
import { sparkUsageByTeam, type SparkTeamUsage } from '../domain/spark-usage.ts';
import type { SparkSessionStore } from '../ports/spark-session-store.ts';
import { viewServer, type ServerView } from './server-access.ts';

/** What GET /admin/usage needs: the three stores, the profile registry (for pools) and the time. */
export interface AdminUsageDeps {
  servers: ServerStore;
  sparkSessions: SparkSessionStore;
  runs: RunStore;
  profiles: readonly Profile[];
  clock: Clock;
}

/** What is running now, by pool, and what runs did in the last day. */
export interface Usage {
  generatedAt: string;
  hourlyCost: number;
  pools: PoolUsage[];
  activeServers: ServerView[];
  runs: { since: string; byStatus: Record<string, number> };
  /** Spark cost by team over the sessions started in the last day and those still active. */
  spark: { since: string; active: number; byTeam: SparkTeamUsage[] };
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PAGE = 200;

// Newest first, page by page, until a page reaches a session older than `since`.
const sparkSince = async (store: SparkSessionStore, since: string): Promise<SparkSession[]> => {
  const found: SparkSession[] = [];
  let after: string | undefined;
  do {
    const page = await store.listAll({ after, limit: PAGE });
    const recent = page.items.filter((s) => s.createdAt >= since);
    found.push(...recent);
    if (recent.length < page.items.length) break;
    after = page.next;
  } while (after);
  return found;
};

/**
 * GET /admin/usage; admins only.
 * 1. Refuses anyone else (403, as the cull log does).
 * 2. Reads the active servers (PENDING, RUNNING, STOPPING) with one paged Query on the cull index.
 * 3. Groups them by their profile's pool, every pool of the registry listed, with the sum of hourly prices.
 * 4. Counts the runs created in the last 24 hours, one count Query per status.
 * 5. Spark cost by team: the sessions started in the last 24 hours (the all-sessions index, newest first, read
 *    until a page reaches older ones) and every active one (the sparse active index), each counted once.
 */
export const adminUsage = async (deps: AdminUsageDeps, input: { user: User }): Promise<Usage> => {
  if (!input.user.admin) throw new ForbiddenError('only admins may read usage');
  const now = deps.clock.now();
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  const [active, counts, recentSpark, activeSpark] = await Promise.all([
    deps.servers.listActiveServers(),
    Promise.all(RUN_STATUSES.map((s) => deps.runs.countRuns(s, since))),
    sparkSince(deps.sparkSessions, since),
    deps.sparkSessions.listActive(),
  ]);
  return {
    generatedAt: now.toISOString(),
    hourlyCost: hourlyCostOf(active),
    pools: usageByPool(active, deps.profiles),
    activeServers: active.map(viewServer),
    runs: { since, byStatus: Object.fromEntries(RUN_STATUSES.map((s, i) => [s, counts[i]!])) },
    spark: {
      since,
      active: activeSpark.length,
      byTeam: sparkUsageByTeam([...activeSpark, ...recentSpark], now),
    },
  };
};
