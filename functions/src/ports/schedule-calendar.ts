import type { Schedule } from '../domain/schedule.ts';

/**
 * Whatever delivers a schedule's due times to the fire use case: EventBridge Scheduler in the cloud (one Scheduler
 * schedule per Orrery schedule), croner in local mode. Orrery's record is the truth; the calendar follows it.
 */
export interface ScheduleCalendar {
  /** Creates or replaces the calendar entry for the schedule; a paused schedule's entry is disabled. */
  put(schedule: Schedule): Promise<void>;
  /** Removes the entry; nothing when there is none. */
  remove(scheduleId: string): Promise<void>;
  /** Arranges one extra delivery of a due time at `at` (a failed run's retry): same schedule, same due time. */
  retryAt(schedule: Schedule, dueAt: string, attempt: number, at: Date): Promise<void>;
}
