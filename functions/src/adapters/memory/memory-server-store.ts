import { ConflictError } from '../../domain/errors.ts';
import { ACTIVE_SERVER_STATUSES, type Server, type ServerStatus } from '../../domain/server.ts';
import type {
  CullRecord,
  ServerChanges,
  ServerExpectation,
  ServerSlot,
  ServerStore,
} from '../../ports/server-store.ts';

const cullKey = (s: Server) => `${s.cullCheckAt}#${s.id}`;

/** Servers, slots and culls in Maps, for unit tests; the contract suite keeps it honest with DynamoDB. */
export class MemoryServerStore implements ServerStore {
  private readonly servers = new Map<string, Server>();
  private readonly slots = new Map<string, { holder: string; takenAt: string }>();
  private readonly culls: CullRecord[] = [];

  async putServer(server: Server): Promise<void> {
    const held = this.servers.get(server.id);
    if (held && held.status !== 'STOPPED' && held.status !== 'FAILED')
      throw new ConflictError(`server ${server.id} is ${held.status}`);
    this.servers.set(server.id, structuredClone(server));
  }

  async getServer(id: string): Promise<Server | null> {
    const s = this.servers.get(id);
    return s ? structuredClone(s) : null;
  }

  async listServers(owner: string): Promise<Server[]> {
    return [...this.servers.values()]
      .filter((s) => s.owner === owner)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((s) => structuredClone(s));
  }

  async moveServer(
    id: string,
    from: readonly ServerStatus[],
    changes: ServerChanges,
    expect: ServerExpectation = {},
  ): Promise<Server | null> {
    const s = this.servers.get(id);
    if (!s || !from.includes(s.status)) return null;
    if (Object.entries(expect).some(([k, v]) => v !== undefined && s[k as keyof Server] !== v)) return null;
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete (s as unknown as Record<string, unknown>)[k];
      else if (v !== undefined) (s as unknown as Record<string, unknown>)[k] = structuredClone(v);
    }
    return structuredClone(s);
  }

  async deleteServer(id: string, from: readonly ServerStatus[], launchId: string): Promise<boolean> {
    const s = this.servers.get(id);
    if (!s || !from.includes(s.status) || s.launchId !== launchId) return false;
    this.servers.delete(id);
    return true;
  }

  async listCullCandidates(due: string, page: { after?: string; limit: number }) {
    const all = [...this.servers.values()]
      .filter(
        (s) =>
          s.cullCheckAt !== undefined && s.cullCheckAt <= due && (page.after === undefined || cullKey(s) > page.after),
      )
      .sort((a, b) => (cullKey(a) < cullKey(b) ? -1 : 1));
    const items = all.slice(0, page.limit).map((s) => structuredClone(s));
    return { items, next: all.length > page.limit ? cullKey(items.at(-1)!) : undefined, itemsRead: items.length };
  }

  async listActiveServers(): Promise<Server[]> {
    return [...this.servers.values()]
      .filter((s) => s.cullCheckAt !== undefined && ACTIVE_SERVER_STATUSES.includes(s.status))
      .sort((a, b) => (cullKey(a) < cullKey(b) ? -1 : 1))
      .map((s) => structuredClone(s));
  }

  async listSlots(owner: string): Promise<ServerSlot[]> {
    return [...this.slots.entries()]
      .filter(([k]) => k.startsWith(`${owner}\0`))
      .map(([k, v]) => ({ slot: Number(k.split('\0')[1]), ...v }));
  }

  async takeSlot(owner: string, slot: number, holder: string, takenAt: string, replacing?: string): Promise<boolean> {
    const key = `${owner}\0${slot}`;
    const held = this.slots.get(key);
    if (held !== undefined && held.holder !== replacing) return false;
    this.slots.set(key, { holder, takenAt });
    return true;
  }

  async releaseSlot(owner: string, slot: number, holder: string): Promise<void> {
    if (this.slots.get(`${owner}\0${slot}`)?.holder === holder) this.slots.delete(`${owner}\0${slot}`);
  }

  async recordCull(cull: CullRecord): Promise<void> {
    this.culls.push(structuredClone(cull));
  }

  async listCulls(page: { before?: string; limit: number }) {
    const key = (c: CullRecord) => `${c.at}#${c.id}`;
    const all = this.culls
      .filter((c) => page.before === undefined || key(c) < page.before)
      .sort((a, b) => (key(a) < key(b) ? 1 : -1));
    const items = all.slice(0, page.limit).map((c) => structuredClone(c));
    return { items, next: all.length > page.limit ? key(items.at(-1)!) : undefined };
  }
}
