import { ConflictError } from '../../domain/errors.ts';
import type { SparkSession } from '../../domain/spark-session.ts';
import type { SparkSessionStop, SparkSessionStore } from '../../ports/spark-session-store.ts';

const position = (s: SparkSession) => `${s.createdAt}#${s.id}`;
const newestFirst = (a: SparkSession, b: SparkSession) => (position(a) < position(b) ? 1 : -1);

/** Spark sessions in a Map, for unit tests; the contract suite keeps it honest with DynamoDB. */
export class MemorySparkSessionStore implements SparkSessionStore {
  private readonly sessions = new Map<string, SparkSession>();

  async putSession(session: SparkSession): Promise<void> {
    if (this.sessions.has(session.id)) throw new ConflictError(`Spark session ${session.id} exists already`);
    this.sessions.set(session.id, structuredClone(session));
  }

  async getSession(id: string): Promise<SparkSession | null> {
    const s = this.sessions.get(id);
    return s ? structuredClone(s) : null;
  }

  async listByServer(serverId: string, page: { after?: string; limit: number }) {
    return this.page((s) => s.serverId === serverId, page);
  }

  async listActiveByServer(serverId: string, page: { after?: string; limit: number }) {
    return this.page((s) => s.serverId === serverId && s.status === 'ACTIVE', page);
  }

  async listByOwner(owner: string, page: { after?: string; limit: number }) {
    return this.page((s) => s.owner === owner, page);
  }

  async listAll(page: { after?: string; limit: number }) {
    return this.page(() => true, page);
  }

  async listActive(): Promise<SparkSession[]> {
    return this.select((s) => s.status === 'ACTIVE').sort((a, b) => newestFirst(b, a));
  }

  async stopSession(id: string, stop: SparkSessionStop): Promise<SparkSession | null> {
    const s = this.sessions.get(id);
    if (s?.status !== 'ACTIVE') return null;
    Object.assign(s, { status: 'STOPPED', ...stop });
    return structuredClone(s);
  }

  private select(keep: (s: SparkSession) => boolean): SparkSession[] {
    return [...this.sessions.values()].filter(keep).map((s) => structuredClone(s));
  }

  private page(keep: (s: SparkSession) => boolean, page: { after?: string; limit: number }) {
    const all = this.select((s) => keep(s) && (page.after === undefined || position(s) < page.after)).sort(newestFirst);
    const items = all.slice(0, page.limit);
    return { items, next: all.length > page.limit ? position(items.at(-1)!) : undefined };
  }
}
