import type { User } from '../domain/user.ts';

/** The caller as the platform sees them, with what they are entitled to. */
export interface Me extends User {
  entitlements: { canCreateNotebooks: boolean; teams: number; roles: string[]; profiles: string[] };
}

/**
 * Describes the caller.
 * 1. Echo the identity the token proved. Roles and profiles are filled in by the credentials
 *    and servers capabilities once they exist; until then they are empty lists, not guesses.
 */
export const getMe = (user: User): Me => ({
  ...user,
  entitlements: { canCreateNotebooks: true, teams: user.teams.length, roles: [], profiles: [] },
});
