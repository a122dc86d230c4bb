import { ACTIVE_SERVER_STATUSES, type Server } from './server.ts';

// The rules of server homes left behind: which count as unused, and what they cost while they wait.

const GiB = 1024 ** 3;
const DAY_MS = 24 * 60 * 60 * 1000;

/** When a home counts as unused, and the storage price that makes it matter. */
export interface VolumeSettings {
  /** A stopped server unused this many days has its home listed for admins. */
  unusedDays: number;
  /** US dollars per GiB-month of the volumes (gp3 in us-east-1 is 0.08). */
  pricePerGiBMonth: number;
}

/** Thirty days, and gp3's list price in us-east-1. */
export const DEFAULT_VOLUME_SETTINGS: VolumeSettings = { unusedDays: 30, pricePerGiBMonth: 0.08 };

/** What a volume of `bytes` costs a month, to the cent. */
export const monthlyVolumeCost = (bytes: number, pricePerGiBMonth: number): number =>
  Math.round((bytes / GiB) * pricePerGiBMonth * 100) / 100;

/** A size for people, in the binary units the volumes are made in: `10 GiB`, `512 MiB`, `3.2 KiB`. */
export const formatVolumeSize = (bytes: number): string => {
  for (const [unit, size] of [
    ['TiB', GiB * 1024],
    ['GiB', GiB],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} B`;
};

/** When a server was last used: its last activity, or its stop when that came later. */
export const lastUsedAt = (s: Pick<Server, 'lastActivity' | 'stoppedAt'>): string =>
  s.stoppedAt && s.stoppedAt > s.lastActivity ? s.stoppedAt : s.lastActivity;

/**
 * Whether a home belongs on the admins' list: its server ended and unused for the threshold, or no record names it
 * (an orphan, which only an admin can deal with). A server that is running or starting is using its home.
 */
export const homeIsUnused = (server: Server | null, now: Date, unusedDays: number): boolean => {
  if (!server) return true;
  if (ACTIVE_SERVER_STATUSES.includes(server.status)) return false;
  return now.getTime() - Date.parse(lastUsedAt(server)) >= unusedDays * DAY_MS;
};

/** Whole days from `iso` to `now`. */
export const daysSince = (iso: string, now: Date): number => Math.floor((now.getTime() - Date.parse(iso)) / DAY_MS);
