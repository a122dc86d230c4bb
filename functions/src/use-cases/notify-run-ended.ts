import { runAlerts } from '../domain/run-alerts.ts';
import { LEARNED_SAMPLE_SIZE } from '../domain/run-alerts.ts';
import { TERMINAL_STATUSES, type Run } from '../domain/run.ts';
import type { NoticeKind } from '../ports/notifier.ts';
import type { ScheduleStore } from '../ports/schedule-store.ts';
import type { NotifyDeps } from './notify-deps.ts';
import type { RunDeps } from './run-deps.ts';

/** What telling a schedule's owner how its run went needs. */
export type NotifyRunEndedDeps = Pick<NotifyDeps, 'notifier' | 'notifySettings'> &
  Pick<RunDeps, 'runs' | 'profiles'> & { schedules: Pick<ScheduleStore, 'getSchedule'> };

// The learned duration reads at most this many of the notebook's latest runs (two Queries), successful or not.
const HISTORY_PAGE = 50;
const HISTORY_PAGES = 2;

/** Durations of the notebook's latest successful runs, newest first, `run` left out: bounded reads. */
const successfulDurations = async (deps: Pick<RunDeps, 'runs'>, run: Run): Promise<number[]> => {
  const durations: number[] = [];
  let before: string | undefined;
  for (let page = 0; page < HISTORY_PAGES && durations.length < LEARNED_SAMPLE_SIZE; page++) {
    const { items, next } = await deps.runs.listRuns(
      { kind: 'notebook', notebookId: run.notebookId },
      { before, limit: HISTORY_PAGE },
    );
    for (const r of items) {
      if (r.id !== run.id && r.status === 'COMPLETED' && typeof r.durationSeconds === 'number') {
        durations.push(r.durationSeconds);
      }
    }
    if (!next) break;
    before = next;
  }
  return durations.slice(0, LEARNED_SAMPLE_SIZE);
};

/**
 * Tells a schedule's owner how one of its runs went, once the run has ended.
 * 1. A run started by hand, or not yet ended, tells nothing; neither does a run whose schedule was deleted since.
 * 2. With `learnedDuration`, read the notebook's latest successful runs (at most 100 runs read, 20 kept).
 * 3. Price the run with its profile's hourly price (none when the profile has left the registry).
 * 4. Send what run-alerts decides (failed, succeeded, slow, costly) to the schedule's destination; the notifier
 *    records each delivery and never throws.
 */
export const notifyRunEnded = async (
  deps: NotifyRunEndedDeps,
  input: { run: Run },
): Promise<{ sent: NoticeKind[] }> => {
  const { run } = input;
  if (!run.scheduleId || !TERMINAL_STATUSES.has(run.status)) return { sent: [] };
  const schedule = await deps.schedules.getSchedule(run.scheduleId);
  if (!schedule) return { sent: [] };
  const history =
    schedule.notify.learnedDuration && run.durationSeconds !== null ? await successfulDurations(deps, run) : [];
  const hourlyPrice = deps.profiles.find((p) => p.slug === run.profile)?.hourlyPrice ?? null;
  // A failed try with retries left is not the end of its due time: only the last try's failure is reported.
  const retrying = run.status === 'FAILED' && (run.attempt ?? 0) < schedule.retries && !schedule.paused;
  const notices = runAlerts({ run, schedule, history, hourlyPrice, portalUrl: deps.notifySettings.portalUrl }).filter(
    (n) => !(retrying && n.kind === 'run-failed'),
  );
  for (const notice of notices) await deps.notifier.notify(notice);
  return { sent: notices.map((n) => n.kind ?? 'other') };
};
