import { ConflictError } from '../domain/errors.ts';
import type { Schedule } from '../domain/schedule.ts';
import type { ScheduleChanges } from '../ports/schedule-store.ts';
import { catchUpSchedule, missedSince } from './catch-up-schedule.ts';
import { updateWithRetry } from './fire-schedule.ts';
import type { CreateScheduleInput } from './create-schedule.ts';
import { loadReadable } from './notebook-access.ts';
import { checkScheduleFields, delegate, notifyWithDefaults } from './schedule-checks.ts';
import type { ScheduleDeps } from './schedule-deps.ts';
import { loadManageable, scheduleView, type ScheduleView } from './schedule-views.ts';

/** PATCH /schedules/{id}: any field of the create body; `paused` pauses and resumes. */
export type UpdateScheduleInput = Partial<Omit<CreateScheduleInput, 'user' | 'notebookId'>> &
  Pick<CreateScheduleInput, 'user'> & { id: string };

const RUN_FIELDS = ['expression', 'timezone', 'parameters', 'version', 'profile', 'notify'] as const;

// The edits as stored fields: a role (re)grants the delegation from now; null removes it.
const changesOf = (deps: ScheduleDeps, input: UpdateScheduleInput, old: Schedule, now: Date): ScheduleChanges => {
  const { user: _u, id: _i, role, delegationDays, notify, paused, ...rest } = input;
  const changes: ScheduleChanges = { ...rest, updatedAt: now.toISOString() };
  if (notify) changes.notify = notifyWithDefaults(notify, old.notify);
  if (input.expression) changes.expression = input.expression.trim();
  if (role !== undefined) {
    const delegation = role ? delegate(deps, input.user, old.owner, role, delegationDays, now) : null;
    Object.assign(changes, { role: delegation?.role ?? null, delegation });
  } else if (delegationDays !== undefined && old.delegation)
    Object.assign(changes, {
      delegation: delegate(deps, input.user, old.owner, old.delegation.role, delegationDays, now),
    });
  if (paused !== undefined && paused !== old.paused) {
    changes.paused = paused;
    if (paused) changes.pausedAt = now.toISOString();
  }
  return changes;
};

/**
 * Edits, pauses or resumes a schedule (its owner or admins; only the owner grants a role).
 * 1. Load it (404 for others'); a change to what it runs is checked as on create, as its owner.
 * 2. Save conditionally on the revision read (409 when it changed meanwhile: read it again).
 * 3. Put it on the calendar; when the calendar refuses, the record is put back as it was, so the two agree.
 * 4. On resume, due times missed while paused are handled by its `missed` policy.
 */
export const updateSchedule = async (deps: ScheduleDeps, input: UpdateScheduleInput): Promise<ScheduleView> => {
  const old = await loadManageable(deps, input.user, input.id);
  const now = deps.clock.now();
  const changes = changesOf(deps, input, old, now);
  const merged = { ...old, ...changes };
  if (RUN_FIELDS.some((f) => input[f] !== undefined)) {
    const owner = { id: old.owner, name: old.owner, teams: old.ownerTeams, admin: false };
    const notebook = await loadReadable(
      deps.notebooks,
      input.user.id === old.owner ? input.user : owner,
      old.notebookId,
    );
    changes.profile = await checkScheduleFields(deps, owner, notebook, merged);
  }
  if (input.user.id === old.owner) changes.ownerTeams = input.user.teams;
  const saved = await deps.schedules.updateSchedule(old.id, old.revision, changes);
  if (!saved) throw new ConflictError(`schedule ${old.id} changed while you edited it; read it again`, 'changed');
  try {
    await deps.calendar.put(saved);
  } catch (err) {
    // Put back what this edit changed, on a fresh read if a fire or a run end wrote meanwhile.
    const before = Object.fromEntries(Object.keys(changes).map((k) => [k, old[k as keyof Schedule]]));
    const restored = await updateWithRetry(deps, saved.id, () => ({ ...before }));
    if (!restored) throw new ConflictError(`schedule ${old.id} could not be put back after: ${(err as Error).message}`);
    throw err;
  }
  if (old.paused && !saved.paused) await catchUpSchedule(deps, saved, missedSince(old));
  const current = (await deps.schedules.getSchedule(saved.id)) ?? saved;
  return scheduleView(current, deps.clock.now(), 5);
};
