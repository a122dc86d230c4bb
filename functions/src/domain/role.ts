import { ForbiddenError, ValidationError } from './errors.ts';
import type { User } from './user.ts';

/** The environments a role's account may be: what users see beside the account alias. */
export const ENVIRONMENTS = ['dev', 'prod'] as const;

/** One entry of the role registry: an AWS role Orrery may assume for the users and teams it names. */
export interface Role {
  /** The slug users ask for (`POST /credentials {role}`). */
  name: string;
  roleArn: string;
  /** The account's alias, shown to users. */
  account: string;
  environment: (typeof ENVIRONMENTS)[number];
  /** The longest session Orrery issues for it (at most the role's own MaxSessionDuration). */
  maxSessionSeconds: number;
  /** Teams whose members may assume it; `*` means everyone. */
  teams: string[];
  /** User ids that may assume it, whatever their teams. */
  users: string[];
  description: string;
}

/** STS's floor for a session. */
export const MIN_SESSION_SECONDS = 900;

/** STS's ceiling for a session (a role's MaxSessionDuration is at most 12 hours). */
export const MAX_SESSION_SECONDS = 43_200;

/** A session's length when the caller names none (capped at the role's maximum). */
export const DEFAULT_SESSION_SECONDS = 3600;

/**
 * Whether a user holds a role: through a team the role names (`*` is everyone) or by their own id. Being an admin
 * grants no role: AWS access is given role by role, never with the platform's admin flag.
 */
export const holdsRole = (user: User, role: Role): boolean =>
  role.users.includes(user.id) || role.teams.includes('*') || role.teams.some((t) => user.teams.includes(t));

/** The roles a user may assume, in registry order. */
export const rolesFor = (user: User, registry: readonly Role[]): Role[] => registry.filter((r) => holdsRole(user, r));

/**
 * The role named `name` if the user holds it. A role that does not exist and one the user does not hold get the
 * same refusal, so the registry of other teams does not leak.
 */
export const roleFor = (user: User, registry: readonly Role[], name: string): Role => {
  const role = registry.find((r) => r.name === name);
  if (!role || !holdsRole(user, role)) {
    throw new ForbiddenError(`you may not assume role '${name}': ask an admin to add you or your team to it`);
  }
  return role;
};

/**
 * The session length for a request: the one asked for, which must lie within [900, the role's maximum], or
 * 3600 seconds capped at the role's maximum.
 */
export const sessionSeconds = (role: Role, requested?: number): number => {
  if (requested === undefined) return Math.min(DEFAULT_SESSION_SECONDS, role.maxSessionSeconds);
  const max = role.maxSessionSeconds;
  if (!Number.isInteger(requested) || requested < MIN_SESSION_SECONDS || requested > max) {
    throw new ValidationError(
      `durationSeconds must be a whole number from ${MIN_SESSION_SECONDS} to ${max} for role '${role.name}'`,
      [{ path: 'body.durationSeconds', message: `outside ${MIN_SESSION_SECONDS}–${max}` }],
    );
  }
  return requested;
};

/**
 * The team a session is tagged with: the first of the user's teams that the role names, else (a role held by
 * everyone or by the user's id) the user's first team, else none.
 */
export const teamFor = (user: User, role: Role): string | null =>
  user.teams.find((t) => role.teams.includes(t)) ?? user.teams[0] ?? null;

/** A role as `GET /credentials/roles` shows it: who else holds it stays out. */
export const describeRole = (r: Role) => ({
  name: r.name,
  roleArn: r.roleArn,
  account: r.account,
  environment: r.environment,
  maxSessionSeconds: r.maxSessionSeconds,
  description: r.description,
});

/** What `GET /credentials/roles` shows of one role. */
export type RoleView = ReturnType<typeof describeRole>;
