import { ForbiddenError } from '../domain/errors.ts';
import { hourlyCostOf, usageByPool, type PoolUsage } from '../domain/pool-usage.ts';
import type { Profile } from '../domain/profile.ts';
import { RUN_STATUSES } from '../domain/run.ts';
import type { User } from '../domain/user.ts';
import type { Clock } from '../ports/clock.ts';
import type { RunStore } from '../ports/run-store.ts';
import type { ServerStore } from '../ports/server-store.ts';
import { viewServer, type ServerView } from './server-access.ts';

/** What GET /admin/usage needs: the two stores, the profile registry (for pools) and the time. */
export interface AdminUsageDeps {
  servers: ServerStore;
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
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * GET /admin/usage; admins only.
 * 1. Refuses anyone else (403, as the cull log does).
 * 2. Reads the active servers (PENDING, RUNNING, STOPPING) with one paged Query on the cull index.
 * 3. Groups them by their profile's pool, every pool of the registry listed, with the sum of hourly prices.
 * 4. Counts the runs created in the last 24 hours, one count Query per status.
 */
export const adminUsage = async (deps: AdminUsageDeps, input: { user: User }): Promise<Usage> => {
  if (!input.user.admin) throw new ForbiddenError('only admins may read usage');
  const now = deps.clock.now();
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  const [active, counts] = await Promise.all([
    deps.servers.listActiveServers(),
    Promise.all(RUN_STATUSES.map((s) => deps.runs.countRuns(s, since))),
  ]);
  return {
    generatedAt: now.toISOString(),
    hourlyCost: hourlyCostOf(active),
    pools: usageByPool(active, deps.profiles),
    activeServers: active.map(viewServer),
    runs: { since, byStatus: Object.fromEntries(RUN_STATUSES.map((s, i) => [s, counts[i]!])) },
  };
};
