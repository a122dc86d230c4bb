import { ValidationError } from './errors.ts';
import { MIN_SESSION_SECONDS, type Role, sessionSeconds } from './role.ts';

// A broker whose own credentials are a role session (a Lambda's always are; an SSO profile's are too) is role
// chaining when it assumes a user's role, and AWS caps a chained session at one hour whatever the role's own
// MaxSessionDuration. The cap is a setting of the deployment, not of the role, so it is applied here, beside the
// registry's bounds, and a request above it is told why instead of meeting STS's error.

/** The longest session AWS grants a role assumed with role-session credentials (role chaining). */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

/** A role's longest session under the broker's cap (none: the role's own maximum). */
export const cappedMaxSeconds = (role: Role, cap?: number): number =>
  cap === undefined ? role.maxSessionSeconds : Math.max(MIN_SESSION_SECONDS, Math.min(role.maxSessionSeconds, cap));

/** The role as this deployment issues it: its maximum lowered to the broker's cap. */
export const cappedRole = (role: Role, cap?: number): Role => ({
  ...role,
  maxSessionSeconds: cappedMaxSeconds(role, cap),
});

/**
 * The session length for a request under the broker's cap: as `sessionSeconds` with the role's maximum lowered to
 * the cap, except that a request the role itself would allow but the cap does not is refused with the reason, so
 * the caller learns it is the chaining limit (and that asking again later works) rather than a mistake of theirs.
 */
export const cappedSessionSeconds = (role: Role, cap: number | undefined, requested?: number): number => {
  const max = cappedMaxSeconds(role, cap);
  if (
    requested !== undefined &&
    Number.isInteger(requested) &&
    requested > max &&
    requested <= role.maxSessionSeconds
  ) {
    throw new ValidationError(
      `durationSeconds may be at most ${max} for role '${role.name}' here, though the role allows ` +
        `${role.maxSessionSeconds}: Orrery assumes roles with credentials that are themselves a role session, and ` +
        `AWS caps such chained sessions at ${ROLE_CHAINING_MAX_SECONDS} seconds${max < ROLE_CHAINING_MAX_SECONDS ? ` (this deployment at ${max})` : ''}; ask for ${max} or less, and for new ` +
        'keys when these run out',
      [{ path: 'body.durationSeconds', message: `above the broker's cap of ${max} (role chaining)` }],
    );
  }
  return sessionSeconds(cappedRole(role, cap), requested);
};
