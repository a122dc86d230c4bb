import { roundCents } from './money.ts';
import type { SparkSession } from './spark-session.ts';

const HOUR_MS = 3_600_000;

/** At most what a session cost between its start and `until`: the maximum hourly cost × the hours, in cents. */
export const sparkCostSoFar = (s: Pick<SparkSession, 'createdAt' | 'cost'>, until: Date): number =>
  roundCents((s.cost.maxHourlyUsd * Math.max(0, until.getTime() - Date.parse(s.createdAt))) / HOUR_MS);

/** One team's Spark sessions: how many, how many still active, what they cost at most, what the active may cost. */
export interface SparkTeamUsage {
  team: string;
  sessions: number;
  active: number;
  /** Stopped sessions' recorded cost plus active ones' cost up to now, in US dollars (an upper bound). */
  costSoFarUsd: number;
  /** The active sessions' maximum hourly cost together, in US dollars. */
  activeMaxHourlyUsd: number;
}

/** Spark cost by team, teams in name order; each session counted once (by id) whatever list it came from. */
export const sparkUsageByTeam = (sessions: readonly SparkSession[], now: Date): SparkTeamUsage[] => {
  const byTeam = new Map<string, SparkTeamUsage>();
  const seen = new Set<string>();
  for (const s of sessions) {
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    const u = byTeam.get(s.team) ?? { team: s.team, sessions: 0, active: 0, costSoFarUsd: 0, activeMaxHourlyUsd: 0 };
    const active = s.status === 'ACTIVE';
    u.sessions += 1;
    u.active += active ? 1 : 0;
    u.costSoFarUsd = roundCents(u.costSoFarUsd + (active ? sparkCostSoFar(s, now) : (s.costSoFarUsd ?? 0)));
    u.activeMaxHourlyUsd = roundCents(u.activeMaxHourlyUsd + (active ? s.cost.maxHourlyUsd : 0));
    byTeam.set(s.team, u);
  }
  return [...byTeam.values()].sort((a, b) => (a.team < b.team ? -1 : 1));
};
