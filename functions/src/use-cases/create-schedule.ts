import { ConflictError, QuotaExceededError } from '../domain/errors.ts';
import { canStartRun } from '../domain/run.ts';
import type { MissedPolicy, OverlapPolicy, Schedule, ScheduleNotify } from '../domain/schedule.ts';
import type { User } from '../domain/user.ts';
import { loadReadable } from './notebook-access.ts';
import { checkScheduleFields, delegate, notifyWithDefaults } from './schedule-checks.ts';
import type { ScheduleDeps } from './schedule-deps.ts';
import { scheduleView, type ScheduleView } from './schedule-views.ts';

/** What a caller sends to schedule a notebook (POST /notebooks/{id}/schedules). */
export interface CreateScheduleInput {
  user: User;
  notebookId: string;
  name: string;
  expression: string;
  timezone?: string;
  parameters?: Record<string, unknown>;
  version?: number | null;
  profile?: string;
  role?: string | null;
  delegationDays?: number;
  timeoutSeconds?: number | null;
  paused?: boolean;
  retries?: number;
  retryDelaySeconds?: number;
  maxConcurrentRuns?: number;
  overlap?: OverlapPolicy;
  missed?: MissedPolicy;
  catchUpSeconds?: number;
  notify?: Partial<ScheduleNotify>;
}

/**
 * Schedules a notebook to rerun itself.
 * 1. Load the notebook (404 if unreadable; 409 if archived) and hold the caller to their schedule quota (429).
 * 2. Check the expression, the version, the parameters, the profile and the destination (one 400 with every
 *    problem); a role is delegated by the caller for at most 90 days (403 for one they do not hold).
 * 3. Record the schedule, then put it on the calendar (EventBridge Scheduler, or croner locally). When the
 *    calendar refuses, the record is deleted again, so no schedule exists that would never fire.
 */
export const createSchedule = async (deps: ScheduleDeps, input: CreateScheduleInput): Promise<ScheduleView> => {
  const notebook = await loadReadable(deps.notebooks, input.user, input.notebookId);
  if (!canStartRun(input.user, notebook))
    throw new ConflictError(`notebook ${notebook.id} is archived; it can no longer be scheduled`, 'archived');
  const mine = await deps.schedules.listByOwner(input.user.id, { limit: deps.scheduleSettings.maxPerUser });
  if (mine.items.length >= deps.scheduleSettings.maxPerUser)
    throw new QuotaExceededError(
      `you have ${mine.items.length} schedules, the most one user may keep; delete one first`,
    );
  const now = deps.clock.now();
  const fields = {
    expression: input.expression.trim(),
    timezone: input.timezone ?? 'UTC',
    parameters: input.parameters ?? {},
    version: input.version ?? null,
    notify: notifyWithDefaults(input.notify),
  };
  const profile = await checkScheduleFields(deps, input.user, notebook, { ...fields, profile: input.profile });
  const delegation = input.role
    ? delegate(deps, input.user, input.user.id, input.role, input.delegationDays, now)
    : null;
  const paused = input.paused ?? false;
  const schedule: Schedule = {
    id: deps.ids.next('sch'),
    owner: input.user.id,
    ownerTeams: input.user.teams,
    notebookId: notebook.id,
    notebookOwner: notebook.owner,
    notebookTitle: notebook.title,
    name: input.name,
    ...fields,
    profile,
    role: delegation?.role ?? null,
    delegation,
    timeoutSeconds: input.timeoutSeconds ?? null,
    retries: input.retries ?? 0,
    retryDelaySeconds: input.retryDelaySeconds ?? 300,
    maxConcurrentRuns: input.maxConcurrentRuns ?? 1,
    overlap: input.overlap ?? 'skip',
    missed: input.missed ?? 'skip',
    catchUpSeconds: input.catchUpSeconds ?? deps.scheduleSettings.catchUpSeconds,
    paused,
    pausedAt: paused ? now.toISOString() : null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    // Due times before the schedule existed were never missed.
    lastDueAt: null,
    lastStatus: null,
    activeRunIds: [],
    revision: 1,
  };
  await deps.schedules.putSchedule(schedule);
  try {
    await deps.calendar.put(schedule);
  } catch (err) {
    await deps.schedules.deleteSchedule(schedule.id);
    throw err;
  }
  return scheduleView(schedule, now, 5);
};
