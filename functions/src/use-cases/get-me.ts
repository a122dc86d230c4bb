import type { User } from '../domain/user.ts';

/** The caller as the platform sees them, with what they are entitled to. */
export interface Me extends User {
  entitlements: { canCreateNotebooks: boolean; teams: number; roles: string[]; profiles: string[] };
}

/**
 * Describes the caller.
 * 1. Echo the identity the token proved, with the run profiles they may name. Credential roles
 *    are filled in by the credentials capability once it exists; until then an empty list, not a guess.
 */
export const getMe = (deps: { runProfiles: string[] }, input: { user: User }): Me => ({
  ...input.user,
  entitlements: { canCreateNotebooks: true, teams: input.user.teams.length, roles: [], profiles: deps.runProfiles },
});
