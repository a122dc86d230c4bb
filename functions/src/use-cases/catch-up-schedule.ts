import { dueTimeKey, type Schedule, type ScheduleFire } from '../domain/schedule.ts';
import { dueTimesBetween } from '../domain/schedule-expression.ts';
import { fireSchedule, updateWithRetry } from './fire-schedule.ts';
import type { ScheduleDeps } from './schedule-deps.ts';

/**
 * Due times a schedule missed since `since` (the platform was down, or the schedule paused), handled by its
 * `missed` policy: `skip` records that they were passed over; `latest` fires the last one; `all` fires each within
 * `catchUpSeconds`, oldest first, at most the configured number. Fires go through the same claim, so a due time
 * the calendar also delivers still starts one run.
 */
export const catchUpSchedule = async (deps: ScheduleDeps, schedule: Schedule, since: Date): Promise<ScheduleFire[]> => {
  if (schedule.paused) return [];
  const now = deps.clock.now();
  const anchor = new Date(schedule.createdAt);
  const missed =
    schedule.missed === 'all'
      ? dueTimesBetween(
          schedule.expression,
          schedule.timezone,
          new Date(Math.max(since.getTime(), now.getTime() - schedule.catchUpSeconds * 1000)),
          now,
          deps.scheduleSettings.maxCatchUp,
          anchor,
        )
      : lastDueBetween(schedule, since, now, anchor);
  if (missed.length === 0) return [];
  if (schedule.missed === 'skip') {
    const last = dueTimeKey(missed.at(-1)!);
    await updateWithRetry(deps, schedule.id, (s) =>
      !s.lastDueAt || last > s.lastDueAt ? { lastDueAt: last, lastStatus: 'MISSED' } : null,
    );
    return [];
  }
  const chosen = schedule.missed === 'latest' ? missed.slice(-1) : missed;
  const fires: ScheduleFire[] = [];
  for (const due of chosen) {
    const fire = await fireSchedule(deps, { scheduleId: schedule.id, dueAt: due.toISOString(), source: 'missed' });
    if (fire) fires.push(fire);
  }
  return fires;
};

const PAGE = 1000;

// The last due time in (from, to], page by page, so a long outage of a frequent schedule still finds the latest.
const lastDueBetween = (schedule: Schedule, from: Date, to: Date, anchor: Date): Date[] => {
  let last: Date | undefined;
  for (let start = from, pages = 0; pages < 100; pages += 1) {
    const page = dueTimesBetween(schedule.expression, schedule.timezone, start, to, PAGE, anchor);
    if (page.length > 0) last = page.at(-1);
    if (page.length < PAGE) break;
    start = page.at(-1)!;
  }
  return last ? [last] : [];
};

/** Where a schedule's missed due times start: after the latest it handled, its pause, or its creation. */
export const missedSince = (schedule: Schedule): Date =>
  new Date(
    Math.max(
      ...[schedule.lastDueAt, schedule.pausedAt, schedule.createdAt]
        .filter((t): t is string => t !== null)
        .map((t) => new Date(t).getTime()),
    ),
  );
