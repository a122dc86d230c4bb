import type { User } from '../domain/user.ts';
import { fireSchedule } from './fire-schedule.ts';
import type { ScheduleDeps } from './schedule-deps.ts';
import { loadManageable } from './schedule-views.ts';
import { dueTimeKey, type ScheduleFire } from '../domain/schedule.ts';

/**
 * DELETE /schedules/{id} (owner or admins): the calendar entry goes first, then the record. When the calendar
 * cannot be reached nothing changes (the caller tries again); when the record's delete fails after it, the schedule
 * stays listed but never fires, and deleting it again finishes the job. Its fires and runs stay.
 */
export const deleteSchedule = async (deps: ScheduleDeps, input: { user: User; id: string }): Promise<void> => {
  const schedule = await loadManageable(deps, input.user, input.id);
  await deps.calendar.remove(schedule.id);
  await deps.schedules.deleteSchedule(schedule.id);
};

/**
 * POST /schedules/{id}/trigger (owner or admins): run it now, as its owner, with its parameters: a fire due now
 * (to the second), through the same claim as the calendar's, not held back by maxConcurrentRuns or a pause.
 */
export const triggerSchedule = async (deps: ScheduleDeps, input: { user: User; id: string }): Promise<ScheduleFire> => {
  const schedule = await loadManageable(deps, input.user, input.id);
  const dueAt = dueTimeKey(deps.clock.now());
  const fire = await fireSchedule(deps, { scheduleId: schedule.id, dueAt, source: 'trigger' });
  return fire ?? (await deps.schedules.getFire(schedule.id, dueAt))!;
};
