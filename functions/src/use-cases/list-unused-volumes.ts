import { ForbiddenError } from '../domain/errors.ts';
import { daysSince, formatVolumeSize, homeIsUnused, lastUsedAt, monthlyVolumeCost } from '../domain/home-volumes.ts';
import type { User } from '../domain/user.ts';
import type { HomeUsage } from '../ports/server-compute.ts';
import type { Server } from '../domain/server.ts';
import type { ServerDeps } from './server-deps.ts';

/** What the admins' list of unused volumes needs: the homes the backend holds, the records, the time and prices. */
export type ListUnusedVolumesDeps = Pick<ServerDeps, 'servers' | 'compute' | 'clock' | 'serverSettings'>;

const row = (h: HomeUsage, s: Server | null, now: Date, price: number) => {
  const lastUsed = s ? lastUsedAt(s) : null;
  return {
    serverId: h.serverId,
    owner: s?.owner ?? h.owner ?? null,
    name: s?.name ?? h.name ?? null,
    status: s?.status ?? null,
    storageClass: h.storageClass,
    location: h.location,
    sizeBytes: h.size,
    size: formatVolumeSize(h.size),
    monthlyCost: monthlyVolumeCost(h.size, price),
    lastUsed,
    unusedDays: lastUsed ? daysSince(lastUsed, now) : null,
  };
};

/**
 * GET /admin/volumes; admins only. Lists, deletes nothing:
 * 1. Refuses anyone else (403).
 * 2. Reads the homes the backend really holds (PersistentVolumeClaims; locally the server folders and their size).
 * 3. Joins each with its server record; keeps those whose server ended at least the configured days ago, and those
 *    no record names (orphans).
 * 4. Prices each at the configured price per GiB-month; the costliest first.
 */
export const listUnusedVolumes = async (deps: ListUnusedVolumesDeps, input: { user: User }) => {
  if (!input.user.admin) throw new ForbiddenError('only admins may list volumes');
  const now = deps.clock.now();
  const { unusedDays, pricePerGiBMonth } = deps.serverSettings.volumes;
  const items = [];
  for (const home of await deps.compute.listHomes()) {
    const server = await deps.servers.getServer(home.serverId);
    if (homeIsUnused(server, now, unusedDays)) items.push(row(home, server, now, pricePerGiBMonth));
  }
  items.sort((a, b) => b.monthlyCost - a.monthlyCost || a.serverId.localeCompare(b.serverId));
  const monthlyCost = Math.round(items.reduce((sum, i) => sum + i.monthlyCost, 0) * 100) / 100;
  return { generatedAt: now.toISOString(), unusedDays, pricePerGiBMonth, monthlyCost, items };
};
