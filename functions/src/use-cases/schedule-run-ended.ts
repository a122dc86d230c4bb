import type { Run } from '../domain/run.ts';
import type { ScheduleFire } from '../domain/schedule.ts';
import { decideFire, updateWithRetry } from './fire-schedule.ts';
import type { ScheduleDeps } from './schedule-deps.ts';

/**
 * What a scheduled run's end means for its schedule (called after the run's end is recorded):
 * 1. The run leaves the schedule's active runs; the schedule's last status follows its latest due time.
 * 2. A failed run with retries left is started again after `retryDelaySeconds`, for the same due time.
 * 3. The earliest queued fire (overlap: queue) gets its turn.
 * Runs not started by a schedule are none of its business.
 */
export const scheduleRunEnded = async (deps: ScheduleDeps, run: Run): Promise<ScheduleFire | null> => {
  if (!run.scheduleId || !run.dueAt) return null;
  const schedule = await updateWithRetry(deps, run.scheduleId, (s) => {
    const active = s.activeRunIds.filter((id) => id !== run.id);
    const latest = !s.lastDueAt || run.dueAt! >= s.lastDueAt;
    if (active.length === s.activeRunIds.length && !latest) return null;
    return { activeRunIds: active, ...(latest ? { lastStatus: run.status } : {}) };
  });
  // A paused schedule starts nothing more: no retry, and its queue waits for the resume's missed policy.
  if (!schedule || schedule.paused) return null;
  const attempt = run.attempt ?? 0;
  if (run.status === 'FAILED' && attempt < schedule.retries) {
    const at = new Date(deps.clock.now().getTime() + schedule.retryDelaySeconds * 1000);
    await deps.calendar.retryAt(schedule, run.dueAt, attempt + 1, at);
  }
  const [next] = await deps.schedules.listQueuedFires(schedule.id);
  if (!next) return null;
  const claimed = await deps.schedules.updateFire(
    schedule.id,
    next.dueAt,
    { outcome: 'claimed', reason: null, updatedAt: deps.clock.now().toISOString() },
    'queued',
  );
  return claimed ? decideFire(deps, schedule, claimed) : null;
};
