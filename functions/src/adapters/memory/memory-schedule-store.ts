import { ConflictError } from '../../domain/errors.ts';
import type { Schedule, ScheduleFire } from '../../domain/schedule.ts';
import type { FireChanges, PageOf, ScheduleChanges, SchedulePage, ScheduleStore } from '../../ports/schedule-store.ts';

const position = (s: Schedule) => `${s.createdAt}#${s.id}`;
// What an update never touches, whatever a caller's object holds at run time.
const FIXED = new Set<string>(['id', 'owner', 'createdAt', 'revision', 'scheduleId', 'dueAt']);

const defined = (changes: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(changes).filter(([k, v]) => v !== undefined && !FIXED.has(k)));

// Newest first, one page after `after`, `next` naming the last item when more follow: as the DynamoDB Queries do.
const pageOf = <T>(all: T[], at: (t: T) => string, page: SchedulePage): PageOf<T> => {
  const read = all
    .filter((t) => page.after === undefined || at(t) < page.after)
    .sort((a, b) => (at(a) < at(b) ? 1 : -1));
  const items = read.slice(0, page.limit).map((t) => structuredClone(t));
  return { items, next: read.length > page.limit ? at(items.at(-1)!) : undefined };
};

/** Schedules and fires in Maps, for unit tests; the contract suite keeps it honest with DynamoDB. */
export class MemoryScheduleStore implements ScheduleStore {
  private readonly schedules = new Map<string, Schedule>();
  // Fires by schedule, then by due time; deleting a schedule leaves its fires, as the table does.
  private readonly fires = new Map<string, Map<string, ScheduleFire>>();

  async putSchedule(schedule: Schedule): Promise<void> {
    if (this.schedules.has(schedule.id)) throw new ConflictError(`schedule ${schedule.id} exists already`);
    this.schedules.set(schedule.id, structuredClone(schedule));
  }

  async getSchedule(id: string): Promise<Schedule | null> {
    const s = this.schedules.get(id);
    return s ? structuredClone(s) : null;
  }

  async updateSchedule(id: string, revision: number, changes: ScheduleChanges): Promise<Schedule | null> {
    const s = this.schedules.get(id);
    if (s?.revision !== revision) return null;
    Object.assign(s, structuredClone(defined(changes)), { revision: revision + 1 });
    return structuredClone(s);
  }

  async deleteSchedule(id: string): Promise<void> {
    this.schedules.delete(id);
  }

  async listByOwner(owner: string, page: SchedulePage): Promise<PageOf<Schedule>> {
    return pageOf(
      [...this.schedules.values()].filter((s) => s.owner === owner),
      position,
      page,
    );
  }

  async listAll(page: SchedulePage): Promise<PageOf<Schedule>> {
    return pageOf([...this.schedules.values()], position, page);
  }

  async listActive(): Promise<Schedule[]> {
    return [...this.schedules.values()]
      .filter((s) => !s.paused)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((s) => structuredClone(s));
  }

  async claimFire(fire: ScheduleFire): Promise<{ fire: ScheduleFire; created: boolean }> {
    const own = this.firesOf(fire.scheduleId);
    const first = own.get(fire.dueAt);
    if (first) return { fire: structuredClone(first), created: false };
    own.set(fire.dueAt, structuredClone(fire));
    return { fire: structuredClone(fire), created: true };
  }

  async getFire(scheduleId: string, dueAt: string): Promise<ScheduleFire | null> {
    const f = this.fires.get(scheduleId)?.get(dueAt);
    return f ? structuredClone(f) : null;
  }

  async updateFire(
    scheduleId: string,
    dueAt: string,
    changes: FireChanges,
    onlyIf?: ScheduleFire['outcome'],
  ): Promise<ScheduleFire | null> {
    const f = this.fires.get(scheduleId)?.get(dueAt);
    if (!f || (onlyIf && f.outcome !== onlyIf)) return null;
    Object.assign(f, defined(changes));
    return structuredClone(f);
  }

  async listFires(scheduleId: string, page: SchedulePage): Promise<PageOf<ScheduleFire>> {
    return pageOf([...(this.fires.get(scheduleId)?.values() ?? [])], (f) => f.dueAt, page);
  }

  async listQueuedFires(scheduleId: string): Promise<ScheduleFire[]> {
    return [...(this.fires.get(scheduleId)?.values() ?? [])]
      .filter((f) => f.outcome === 'queued')
      .sort((a, b) => (a.dueAt < b.dueAt ? -1 : 1))
      .map((f) => structuredClone(f));
  }

  private firesOf(scheduleId: string): Map<string, ScheduleFire> {
    let own = this.fires.get(scheduleId);
    if (!own) {
      own = new Map();
      this.fires.set(scheduleId, own);
    }
    return own;
  }
}
