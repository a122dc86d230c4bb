import type { User } from '../domain/user.ts';
import type { ScheduleStore } from '../ports/schedule-store.ts';
import { viewRun, type RunView } from './get-run.ts';
import type { ListRunsDeps } from './list-runs.ts';
import { loadManageable } from './schedule-views.ts';

/** What listing a schedule's runs needs: its fires, then its runs. */
export type ListScheduleRunsDeps = ListRunsDeps & { schedules: ScheduleStore };

/**
 * GET /runs?schedule=: the runs a schedule started, latest due time first (owner and admins; others 404).
 * One Query of its fires a page, then one read per fire that started a run: fires that started nothing
 * (skipped, failed to start) are not runs, so a page can hold fewer runs than the limit.
 */
export const listScheduleRuns = async (
  deps: ListScheduleRunsDeps,
  input: { user: User; scheduleId: string; limit: number; cursor?: string },
): Promise<{ items: RunView[]; nextCursor: string | null }> => {
  const schedule = await loadManageable(deps, input.user, input.scheduleId);
  const scope = `schedule-runs:${schedule.id}`;
  const after = input.cursor ? deps.cursors.decode(scope, input.cursor) : undefined;
  const page = await deps.schedules.listFires(schedule.id, { after, limit: input.limit });
  const runs = await Promise.all(page.items.filter((f) => f.runId).map((f) => deps.runs.getRun(f.runId!)));
  return {
    items: await Promise.all(runs.filter((r) => r !== null).map((r) => viewRun(deps, r))),
    nextCursor: page.next ? deps.cursors.encode(scope, page.next) : null,
  };
};
