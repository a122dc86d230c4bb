import { Cron } from 'croner';
import type { Run } from '../domain/run.ts';
import type { FireSource } from '../domain/schedule.ts';
import { log } from '../observability/logger.ts';
import { catchUpSchedule, missedSince } from '../use-cases/catch-up-schedule.ts';
import { fireSchedule } from '../use-cases/fire-schedule.ts';
import type { NotifySettings } from '../use-cases/notify-deps.ts';
import { notifyRunEnded } from '../use-cases/notify-run-ended.ts';
import type { ScheduleDeps } from '../use-cases/schedule-deps.ts';
import { scheduleRunEnded } from '../use-cases/schedule-run-ended.ts';
import { sendDigests } from '../use-cases/send-digests.ts';

/** What follows a run's end needs: the schedules' ports and where notices go. */
export type RunEndDeps = ScheduleDeps & { notifySettings: NotifySettings };

/** One due time from the local calendar, through the fire use case; a failure is logged (the next due time comes). */
export const fireDue = async (
  deps: ScheduleDeps,
  due: { scheduleId: string; dueAt: string; source: FireSource; attempt: number },
): Promise<void> => {
  try {
    const fire = await fireSchedule(deps, due);
    if (fire) log('info', 'schedule fired', { scheduleId: due.scheduleId, dueAt: fire.dueAt, outcome: fire.outcome });
  } catch (err) {
    log('warn', 'a schedule fire failed', {
      scheduleId: due.scheduleId,
      dueAt: due.dueAt,
      error: (err as Error).message,
    });
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

/**
 * What follows a run's end, in both modes: its schedule's bookkeeping, retry and queue, then the notices its owner
 * asked for. Each is attempted whatever the other did.
 */
export const afterRunEnded = async (deps: RunEndDeps, run: Run): Promise<void> => {
  if (!run.scheduleId) return;
  const [schedule, notices] = await Promise.allSettled([scheduleRunEnded(deps, run), notifyRunEnded(deps, { run })]);
  for (const r of [schedule, notices])
    if (r.status === 'rejected')
      log('warn', 'what follows a scheduled run failed', { runId: run.id, error: (r.reason as Error).message });
};

/** The daily digest of yesterday's scheduled runs, sent at 07:00 UTC by the local cron (the cloud: a daily schedule). */
export const startDigests = (deps: RunEndDeps): Cron =>
  new Cron('0 7 * * *', { timezone: 'UTC', protect: true }, async () => {
    try {
      log('info', 'digests sent', { ...(await sendDigests(deps)) });
    } catch (err) {
      log('warn', 'digests failed', { error: (err as Error).message });
    }
  });
