import { describeRole, rolesFor, type RoleView } from '../domain/role.ts';
import { cappedRole } from '../domain/session-cap.ts';
import type { User } from '../domain/user.ts';
import type { CredentialDeps } from './credential-deps.ts';

/** What listing roles needs: the registry and the broker's cap. */
export type ListRolesDeps = Pick<CredentialDeps, 'roles' | 'sessionCapSeconds'>;

/**
 * GET /credentials/roles: the roles the caller may assume.
 * 1. Keep the registry's roles the caller holds (by team, `*`, or user id), in registry order.
 * 2. Show each without who else holds it, with the longest session POST /credentials issues for it (the role's
 *    maximum lowered to the broker's cap); roles the caller does not hold are not mentioned.
 */
export const listRoles = (deps: ListRolesDeps, input: { user: User }): { items: RoleView[] } => ({
  items: rolesFor(input.user, deps.roles).map((r) => describeRole(cappedRole(r, deps.sessionCapSeconds))),
});
