import { UnauthorizedError } from './errors.ts';

/** Who is asking: the platform's view of a signed-in caller. */
export interface User {
  id: string;
  name: string;
  teams: string[];
  admin: boolean;
}

/** The claims of a verified token as its payload holds them: arrays are arrays, booleans booleans. */
export type Claims = Record<string, unknown>;

/** A claim that makes its holder an admin: `true`, or, with a value, that value (or a list holding it). */
export interface AdminClaim {
  name: string;
  value?: string;
}

/** Which claims carry identity; the cloud's IdP decides the names, local mode uses the defaults. */
export interface ClaimNames {
  user: string;
  name: string;
  teams: string;
  /** Members of this group are admins; empty: no group makes anyone admin. */
  adminGroup: string;
  /** A dedicated claim that makes admins, alongside (or, with an empty adminGroup, instead of) the group. */
  adminClaim?: AdminClaim;
}

/** The claim names used unless configuration says otherwise. */
export const DEFAULT_CLAIM_NAMES: ClaimNames = {
  user: 'sub',
  name: 'name',
  teams: 'cognito:groups',
  adminGroup: 'orrery-admins',
};

const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

// Whitespace and commas are what list claims were once split on: a name holding them could pass for two groups.
const UNUSABLE_IN_GROUP = /[\s,\p{Cc}]/u;

/** Is this a group name the platform accepts: a non-empty string without whitespace, commas or control characters? */
export const isUsableGroupName = (name: unknown): name is string =>
  typeof name === 'string' && name.length > 0 && name.length <= 256 && !UNUSABLE_IN_GROUP.test(name);

const listed = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];

/**
 * The groups of a token's groups claim, never split: an array's string elements, or a string as one group.
 * Names with whitespace, commas or control characters (or over 256 characters) are refused: dropped, never
 * read as several groups.
 */
export const readGroups = (value: unknown): string[] => [...new Set(listed(value).filter(isUsableGroupName))];

/** The names in a groups claim that readGroups refuses, for the log (how an operator learns why a team is missing). */
export const refusedGroups = (value: unknown): string[] =>
  listed(value)
    .filter((g) => !isUsableGroupName(g))
    .map((g) => (typeof g === 'string' ? g : String(JSON.stringify(g))));

/** Does the token carry the dedicated admin claim: `true`, or the configured value (alone or in a list)? */
export const holdsAdminClaim = (claims: Claims, admin: AdminClaim | undefined): boolean => {
  if (!admin?.name) return false;
  const held = claims[admin.name];
  if (admin.value === undefined) return held === true;
  if (Array.isArray(held)) return held.some((v) => v === admin.value);
  const scalar = typeof held === 'boolean' || typeof held === 'number';
  return held === admin.value || (scalar && String(held) === admin.value);
};

/** Maps a verified token's payload to a User; the same mapping serves the cloud and local mode. */
export const userFromClaims = (claims: Claims | undefined, names: ClaimNames = DEFAULT_CLAIM_NAMES): User => {
  const id = claims?.[names.user];
  if (!claims || typeof id !== 'string' || !USER_ID.test(id)) {
    throw new UnauthorizedError(`the token has no usable '${names.user}' claim`);
  }
  const groups = readGroups(claims[names.teams]);
  const inAdminGroup = names.adminGroup !== '' && groups.includes(names.adminGroup);
  const admin = inAdminGroup || holdsAdminClaim(claims, names.adminClaim);
  const name = typeof claims[names.name] === 'string' ? (claims[names.name] as string) : id;
  return { id, name, teams: groups.filter((g) => g !== names.adminGroup).sort(), admin };
};
