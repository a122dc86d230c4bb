import { ForbiddenError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import type { Notebook } from '../domain/notebook.ts';
import { roleFor, teamFor } from '../domain/role.ts';
import { MAX_DELEGATION_DAYS, type Delegation, type Schedule, type ScheduleNotify } from '../domain/schedule.ts';
import { parseScheduleExpression } from '../domain/schedule-expression.ts';
import type { User } from '../domain/user.ts';
import { loadVersion } from './load-version.ts';
import type { ScheduleDeps } from './schedule-deps.ts';
import { checkRunInputs } from './start-run.ts';

/** What a schedule's run inputs are checked from: the fields that decide what a fire will start. */
export type ScheduleRunFields = Pick<Schedule, 'expression' | 'timezone' | 'parameters' | 'version' | 'notify'> & {
  profile?: string;
};

const DAY_MS = 86_400_000;

// Each check's ValidationError becomes details of one 400, so a form learns every problem at once.
const collect = <T>(problems: ErrorDetail[], check: () => T): T | undefined => {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...(err.details?.length ? err.details : [{ path: 'body', message: err.message }]));
    return undefined;
  }
};

/**
 * Checks what a schedule will run, as its owner, before it is saved: the expression and zone, the version (a pinned
 * one must exist; otherwise the latest), the parameters against that version's, the profile, and the destination.
 * Every problem comes back in one 400. Returns the profile's slug.
 */
export const checkScheduleFields = async (
  deps: Pick<ScheduleDeps, 'notebooks' | 'profiles' | 'roles' | 'destinations'>,
  owner: User,
  notebook: Notebook,
  fields: ScheduleRunFields,
): Promise<string> => {
  const problems: ErrorDetail[] = [];
  collect(problems, () => parseScheduleExpression(fields.expression, fields.timezone));
  const version = await loadVersion(deps, notebook, fields.version ?? undefined);
  const checked = collect(problems, () =>
    checkRunInputs(deps, { user: owner, parameters: fields.parameters, profile: fields.profile }, version),
  );
  const destination = fields.notify.destination;
  if (destination !== null && !deps.destinations.includes(destination))
    problems.push({
      path: 'body.notify.destination',
      message:
        deps.destinations.length === 0
          ? `no notification destinations are configured; leave destination out`
          : `unknown destination '${destination}'; configured: ${deps.destinations.join(', ')}`,
    });
  if (problems.length > 0 || !checked)
    throw new ValidationError(
      `the schedule cannot be saved: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  return checked.profile;
};

/**
 * The owner's grant of a role to a schedule, from now for `days` (at most 90). Only the owner can grant one of
 * their roles (403 for a role they do not hold, or for anyone else, admins included).
 */
export const delegate = (
  deps: Pick<ScheduleDeps, 'roles'>,
  caller: User,
  owner: string,
  role: string,
  days: number | undefined,
  now: Date,
): Delegation => {
  if (caller.id !== owner) throw new ForbiddenError(`only the schedule's owner (${owner}) can delegate a role to it`);
  const granted = roleFor(caller, deps.roles, role);
  const length = Math.min(days ?? MAX_DELEGATION_DAYS, MAX_DELEGATION_DAYS);
  return {
    role: granted.name,
    team: teamFor(caller, granted),
    grantedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + length * DAY_MS).toISOString(),
    warnedAt: null,
  };
};

/** The notification choices with their defaults filled in: failures are reported, nothing else. */
export const notifyWithDefaults = (
  given: Partial<ScheduleNotify> | undefined,
  base?: ScheduleNotify,
): ScheduleNotify => ({
  destination: given?.destination ?? (given && 'destination' in given ? null : (base?.destination ?? null)),
  onFailure: given?.onFailure ?? base?.onFailure ?? true,
  onSuccess: given?.onSuccess ?? base?.onSuccess ?? false,
  longerThanSeconds:
    given && 'longerThanSeconds' in given ? (given.longerThanSeconds ?? null) : (base?.longerThanSeconds ?? null),
  learnedDuration: given?.learnedDuration ?? base?.learnedDuration ?? false,
  costOverUsd: given && 'costOverUsd' in given ? (given.costOverUsd ?? null) : (base?.costOverUsd ?? null),
  digest: given?.digest ?? base?.digest ?? false,
});
