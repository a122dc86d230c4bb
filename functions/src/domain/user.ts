import { UnauthorizedError } from './errors.ts';

/** Who is asking: the platform's view of a signed-in caller. */
export interface User {
  id: string;
  name: string;
  teams: string[];
  admin: boolean;
}

/** JWT claims as the HTTP API JWT authorizer hands them over: arrays may arrive as `[a b]` strings. */
export type Claims = Record<string, unknown>;

/** Which claims carry identity; the cloud's IdP decides the names, local mode uses the defaults. */
export interface ClaimNames {
  user: string;
  name: string;
  teams: string;
  adminGroup: string;
}

/** The claim names used unless configuration says otherwise. */
export const DEFAULT_CLAIM_NAMES: ClaimNames = {
  user: 'sub',
  name: 'name',
  teams: 'cognito:groups',
  adminGroup: 'orrery-admins',
};

const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/** Reads a list claim in any of the shapes IdPs and API Gateway produce: array, `[a b]`, `a,b` or `a b`. */
export const readListClaim = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.map(String).filter(Boolean);
  if (typeof value !== 'string') return [];
  const trimmed = value.trim().replace(/^\[(.*)\]$/s, '$1');
  return trimmed.split(/[\s,]+/).map((s) => s.replace(/^"|"$/g, '')).filter(Boolean);
};

/** Maps verified JWT claims to a User; the same mapping serves the cloud authorizer and local mode. */
export const userFromClaims = (claims: Claims | undefined, names: ClaimNames = DEFAULT_CLAIM_NAMES): User => {
  const id = claims?.[names.user];
  if (typeof id !== 'string' || !USER_ID.test(id)) {
    throw new UnauthorizedError(`the token has no usable '${names.user}' claim`);
  }
  const groups = readListClaim(claims?.[names.teams]);
  const admin = groups.includes(names.adminGroup);
  const name = typeof claims?.[names.name] === 'string' ? (claims[names.name] as string) : id;
  return { id, name, teams: [...new Set(groups.filter((g) => g !== names.adminGroup))].sort(), admin };
};
