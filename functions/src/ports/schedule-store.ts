import type { Schedule, ScheduleFire } from '../domain/schedule.ts';

/** Which page of a listing: at most `limit`, after the opaque position `after` (a previous page's `next`). */
export type SchedulePage = { after?: string; limit: number };

/** One page of a listing; `next` (absent on the last page) is where the following page starts. */
export type PageOf<T> = { items: T[]; next?: string };

/** Changes to a schedule: anything but its identity, owner and creation. */
export type ScheduleChanges = Partial<Omit<Schedule, 'id' | 'owner' | 'createdAt' | 'revision'>> & {
  updatedAt: string;
};

/** Changes to a fire as it moves on from its claim. */
export type FireChanges = Partial<Pick<ScheduleFire, 'outcome' | 'runId' | 'reason' | 'attempt'>> & {
  updatedAt: string;
};

/** Schedule records and their fires: by id, by owner, all (admins), the unpaused ones, and each schedule's fires. */
export interface ScheduleStore {
  /** Records a new schedule (revision 1); ConflictError when the id exists. */
  putSchedule(schedule: Schedule): Promise<void>;
  /** One schedule, or null. */
  getSchedule(id: string): Promise<Schedule | null>;
  /**
   * Applies changes when the stored revision is `revision`, bumping it; the schedule as now stored, or null when
   * it changed meanwhile (or is gone): the caller reads again and decides.
   */
  updateSchedule(id: string, revision: number, changes: ScheduleChanges): Promise<Schedule | null>;
  /** Removes the schedule (its fires stay, for the runs they name); nothing when it is gone. */
  deleteSchedule(id: string): Promise<void>;
  /** A user's schedules, newest first, paged: one Query a page. */
  listByOwner(owner: string, page: SchedulePage): Promise<PageOf<Schedule>>;
  /** Every schedule, newest first, paged (admins). */
  listAll(page: SchedulePage): Promise<PageOf<Schedule>>;
  /** Every unpaused schedule (the local timer's start-up and its missed due times): Queries on a sparse index. */
  listActive(): Promise<Schedule[]>;
  /**
   * Records a fire unless one exists for (scheduleId, dueAt): a conditional put. Returns the stored fire and
   * whether this call created it; a repeated delivery gets the first claim back with `created: false`.
   */
  claimFire(fire: ScheduleFire): Promise<{ fire: ScheduleFire; created: boolean }>;
  /** One fire, or null. */
  getFire(scheduleId: string, dueAt: string): Promise<ScheduleFire | null>;
  /**
   * Applies changes to a fire (only while its outcome is `onlyIf`, when given); the fire as now stored, or null when
   * there is none (or its outcome was another): two run ends never dequeue the same fire.
   */
  updateFire(
    scheduleId: string,
    dueAt: string,
    changes: FireChanges,
    onlyIf?: ScheduleFire['outcome'],
  ): Promise<ScheduleFire | null>;
  /** A schedule's fires, latest due time first, paged: one Query a page. */
  listFires(scheduleId: string, page: SchedulePage): Promise<PageOf<ScheduleFire>>;
  /** A schedule's fires still waiting their turn (outcome `queued`), earliest due time first. */
  listQueuedFires(scheduleId: string): Promise<ScheduleFire[]>;
}
