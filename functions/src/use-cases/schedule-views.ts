import { ForbiddenError, NotFoundError } from '../domain/errors.ts';
import { canManageSchedule, type Schedule, type ScheduleFire } from '../domain/schedule.ts';
import { nextDueTimes, parseScheduleExpression } from '../domain/schedule-expression.ts';
import type { User } from '../domain/user.ts';
import type { CursorCodec } from '../ports/cursor-codec.ts';
import type { ScheduleDeps } from './schedule-deps.ts';

/** A fire as the API shows it, with its run's status. */
export type FireView = Omit<ScheduleFire, 'scheduleId' | 'owner' | 'updatedAt'> & { runStatus: string | null };

/** A schedule as the API shows it: its fields (no delegation internals), its next due times, maybe its fires. */
export type ScheduleView = Omit<Schedule, 'ownerTeams' | 'notebookOwner' | 'delegation' | 'revision' | 'pausedAt'> & {
  delegation: { role: string; grantedAt: string; expiresAt: string } | null;
  nextDue: string[];
  fires?: FireView[];
};

/** The due times of a schedule after `now` (none while paused); `count` of them. */
export const upcoming = (schedule: Schedule, now: Date, count: number): string[] =>
  schedule.paused
    ? []
    : nextDueTimes(schedule.expression, schedule.timezone, now, count, new Date(schedule.createdAt)).map((d) =>
        d.toISOString(),
      );

/** The API's view of a schedule with its next `count` due times. */
export const scheduleView = (schedule: Schedule, now: Date, count: number, fires?: FireView[]): ScheduleView => {
  const { ownerTeams: _t, notebookOwner: _o, delegation, revision: _r, pausedAt: _p, ...rest } = schedule;
  return {
    ...rest,
    delegation: delegation
      ? { role: delegation.role, grantedAt: delegation.grantedAt, expiresAt: delegation.expiresAt }
      : null,
    nextDue: upcoming(schedule, now, count),
    ...(fires ? { fires } : {}),
  };
};

/** A schedule the caller may manage; others' are a 404, so other users' schedules do not leak. */
export const loadManageable = async (deps: Pick<ScheduleDeps, 'schedules'>, user: User, id: string) => {
  const schedule = await deps.schedules.getSchedule(id);
  if (!schedule || !canManageSchedule(user, schedule)) throw new NotFoundError(`no schedule ${id}`);
  return schedule;
};

/**
 * GET /schedules/{id}: the schedule, its next five due times and its recent fires (latest first), each with its
 * run's status (one read per fire that started a run, at most `fireCount`).
 */
export const getSchedule = async (
  deps: Pick<ScheduleDeps, 'schedules' | 'runs' | 'clock'>,
  input: { user: User; id: string; fireCount?: number },
): Promise<ScheduleView> => {
  const schedule = await loadManageable(deps, input.user, input.id);
  const page = await deps.schedules.listFires(schedule.id, { limit: input.fireCount ?? 20 });
  const fires = await Promise.all(
    page.items.map(async ({ scheduleId: _s, owner: _o, updatedAt: _u, ...fire }) => ({
      ...fire,
      runStatus: fire.runId ? ((await deps.runs.getRun(fire.runId))?.status ?? null) : null,
    })),
  );
  return scheduleView(schedule, deps.clock.now(), 5, fires);
};

/**
 * GET /schedules: the caller's schedules newest first, each with its next due time; admins name an owner or `*`.
 * The cursor is sealed to whose list it was made for.
 */
export const listSchedules = async (
  deps: Pick<ScheduleDeps, 'schedules' | 'clock'> & { cursors: CursorCodec },
  input: { user: User; owner?: string; limit: number; cursor?: string },
): Promise<{ items: ScheduleView[]; nextCursor: string | null }> => {
  if (input.owner !== undefined && input.owner !== input.user.id && !input.user.admin)
    throw new ForbiddenError("only admins may list other users' schedules");
  const whose = input.owner ?? input.user.id;
  const scope = `schedules:${whose}`;
  const page = { limit: input.limit, after: input.cursor ? deps.cursors.decode(scope, input.cursor) : undefined };
  const found = whose === '*' ? await deps.schedules.listAll(page) : await deps.schedules.listByOwner(whose, page);
  const now = deps.clock.now();
  return {
    items: found.items.map((s) => scheduleView(s, now, 1)),
    nextCursor: found.next ? deps.cursors.encode(scope, found.next) : null,
  };
};

/** GET /schedules/preview: the next due times of an expression in a zone, or a 400 that names the wrong field. */
export const previewSchedule = (
  deps: Pick<ScheduleDeps, 'clock'>,
  input: { expression: string; timezone?: string; count: number },
) => {
  const timezone = input.timezone ?? 'UTC';
  const expression = input.expression.trim();
  parseScheduleExpression(expression, timezone);
  const now = deps.clock.now();
  const due = nextDueTimes(expression, timezone, now, input.count, now);
  const local = new Intl.DateTimeFormat('sv-SE', {
    timeZone: timezone,
    dateStyle: 'short',
    timeStyle: 'short',
  });
  return {
    expression,
    timezone,
    due: due.map((d) => d.toISOString()),
    dueLocal: due.map((d) => `${local.format(d)} ${timezone}`),
  };
};
