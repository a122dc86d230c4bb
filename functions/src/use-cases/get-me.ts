import { profilesFor, type Profile } from '../domain/profile.ts';
import type { User } from '../domain/user.ts';

/** The caller as the platform sees them, with what they are entitled to. */
export interface Me extends User {
  entitlements: { canCreateNotebooks: boolean; teams: number; roles: string[]; profiles: string[] };
}

/**
 * Describes the caller.
 * 1. Echo the identity the token proved, with the profiles their teams may use. Credential roles
 *    are filled in by the credentials capability once it exists; until then an empty list, not a guess.
 */
export const getMe = (deps: { profiles: readonly Profile[] }, input: { user: User }): Me => ({
  ...input.user,
  entitlements: {
    canCreateNotebooks: true,
    teams: input.user.teams.length,
    roles: [],
    profiles: profilesFor(input.user, deps.profiles).map((p) => p.slug),
  },
});
