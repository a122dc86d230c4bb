import { log } from '../observability/logger.ts';
import type { Run } from '../domain/run.ts';
import type { FireSource } from '../domain/schedule.ts';
import { catchUpSchedule, missedSince } from '../use-cases/catch-up-schedule.ts';
import { fireSchedule } from '../use-cases/fire-schedule.ts';
import type { ScheduleDeps } from '../use-cases/schedule-deps.ts';
import { scheduleRunEnded as endedForSchedule } from '../use-cases/schedule-run-ended.ts';

/** One due time from the local calendar, through the fire use case; a failure is logged (the next due time comes). */
export const fireDue = async (
  deps: ScheduleDeps,
  due: { scheduleId: string; dueAt: string; source: FireSource; attempt: number },
): Promise<void> => {
  try {
    const fire = await fireSchedule(deps, due);
    if (fire) log('info', 'schedule fired', { scheduleId: due.scheduleId, dueAt: fire.dueAt, outcome: fire.outcome });
  } catch (err) {
    log('warn', 'a schedule fire failed', { scheduleId: due.scheduleId, dueAt: due.dueAt, error: (err as Error).message });
  }
};

/**
 * Local start-up: every unpaused schedule goes on the croner calendar, then its due times missed while the platform
 * was down are handled by its `missed` policy (the calendar fires only what is due from now on).
 */
export const startSchedules = async (deps: ScheduleDeps): Promise<number> => {
  const active = await deps.schedules.listActive();
  for (const schedule of active) await deps.calendar.put(schedule);
  for (const schedule of active) {
    try {
      await catchUpSchedule(deps, schedule, missedSince(schedule));
    } catch (err) {
      log('warn', 'missed due times could not be handled', { scheduleId: schedule.id, error: (err as Error).message });
    }
  }
  return active.length;
};

/** What follows a run's end locally: its schedule's bookkeeping, retry and queue. */
export const scheduleRunEnded = async (deps: ScheduleDeps, run: Run): Promise<void> => {
  await endedForSchedule(deps, run);
};
