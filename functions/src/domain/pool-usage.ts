import type { Profile } from './profile.ts';
import type { Server } from './server.ts';

/** The pool a server of an unknown (since removed) profile is counted under: it still costs money, so it is shown. */
export const UNKNOWN_POOL = 'unknown';

/** One pool's share of what is running now. */
export interface PoolUsage {
  pool: string;
  activeServers: number;
  hourlyCost: number;
}

// Sums of prices in dollars: cents and below drift in binary floating point.
const money = (dollars: number) => Math.round(dollars * 1e6) / 1e6;

/** The sum of hourly prices, rounded past the cent so it does not drift. */
export const hourlyCostOf = (servers: readonly Pick<Server, 'hourlyPrice'>[]): number =>
  money(servers.reduce((sum, s) => sum + s.hourlyPrice, 0));

/**
 * Active servers and their hourly cost per pool kind, sorted by pool. Every pool of the registry appears, at 0
 * when idle (a dashboard line then drops to zero instead of stopping at its last value).
 */
export const usageByPool = (
  servers: readonly Pick<Server, 'profile' | 'hourlyPrice'>[],
  profiles: readonly Profile[],
): PoolUsage[] => {
  const poolOf = new Map(profiles.map((p) => [p.slug, p.pool.kind as string]));
  const pools = new Map(
    profiles.map((p) => [p.pool.kind as string, { pool: p.pool.kind as string, activeServers: 0, hourlyCost: 0 }]),
  );
  for (const s of servers) {
    const pool = poolOf.get(s.profile) ?? UNKNOWN_POOL;
    const entry = pools.get(pool) ?? { pool, activeServers: 0, hourlyCost: 0 };
    entry.activeServers += 1;
    entry.hourlyCost = money(entry.hourlyCost + s.hourlyPrice);
    pools.set(pool, entry);
  }
  return [...pools.values()].sort((a, b) => (a.pool < b.pool ? -1 : 1));
};
