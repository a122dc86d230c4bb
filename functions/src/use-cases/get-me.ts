import { profilesFor, type Profile } from '../domain/profile.ts';
import { rolesFor, type Role } from '../domain/role.ts';
import type { User } from '../domain/user.ts';

/** The caller as the platform sees them, with what they are entitled to. */
export interface Me extends User {
  entitlements: { canCreateNotebooks: boolean; teams: number; roles: string[]; profiles: string[] };
}

/** What describing the caller reads: the two registries. */
export interface MeDeps {
  profiles: readonly Profile[];
  roles: readonly Role[];
}

/**
 * Describes the caller.
 * 1. Echo the identity the token proved, with the profiles their teams may use and the roles they may assume
 *    (the names GET /credentials/roles lists).
 */
export const getMe = (deps: MeDeps, input: { user: User }): Me => ({
  ...input.user,
  entitlements: {
    canCreateNotebooks: true,
    teams: input.user.teams.length,
    roles: rolesFor(input.user, deps.roles).map((r) => r.name),
    profiles: profilesFor(input.user, deps.profiles).map((p) => p.slug),
  },
});
