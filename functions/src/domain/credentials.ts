import { createHash } from 'node:crypto';

/** Why a set of credentials was issued: a person at a shell, a running server, a server's Spark executors, or a run. */
export type CredentialPurpose = 'interactive' | 'server' | 'spark' | 'run';

/** Keys as STS returns them; expiration ISO-8601. Never stored, never logged. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
}

/** What a caller receives: the keys, and which role, account and source identity they act as. */
export interface IssuedCredentials extends AwsCredentials {
  role: string;
  account: string;
  sourceIdentity: string;
}

/** The audit record of one issue (no key material). */
export interface CredentialIssue {
  id: string;
  issuedAt: string;
  user: string;
  team: string | null;
  role: string;
  roleArn: string;
  account: string;
  purpose: CredentialPurpose;
  serverId: string | null;
  runId: string | null;
  sourceIdentity: string;
  expiration: string;
  durationSeconds: number;
}

// STS's character set for session names and source identities: word characters and `+=,.@-`.
const STS_NAME_CHARS = /[^\w+=,.@-]/g;
// Session tag values: letters, digits, spaces and `_.:/=+-@` (STS), at most 256 characters.
const TAG_VALUE_CHARS = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;
const MAX_NAME = 64;
const MAX_TAG_VALUE = 256;

/** The STS session name of a user's sessions: `orrery-<user>`, in STS's character set, cut to 64 characters. */
export const sessionNameFor = (user: string): string =>
  `orrery-${user}`.replace(STS_NAME_CHARS, '-').slice(0, MAX_NAME);

/**
 * The source identity of a user's sessions, which CloudTrail shows on every call made through them: the user id
 * itself when STS takes it (2–64 characters of its set; Orrery's user ids use no other), otherwise its head and a
 * hash of the whole id, so two long ids that share 55 characters still differ.
 */
export const sourceIdentityFor = (user: string): string => {
  const clean = user.replace(STS_NAME_CHARS, '-');
  if (clean === user && user.length >= 2 && user.length <= MAX_NAME) return user;
  const hash = createHash('sha256').update(user).digest('hex').slice(0, 8);
  return `${clean.slice(0, MAX_NAME - hash.length - 1)}-${hash}`;
};

/** Who a session is for and why: what its tags say. */
export interface SessionContext {
  user: string;
  team: string | null;
  purpose: CredentialPurpose;
  serverId?: string | null;
  runId?: string | null;
}

const tagValue = (value: string): string => value.replace(TAG_VALUE_CHARS, '_').slice(0, MAX_TAG_VALUE);

/**
 * The session tags: `orrery:user`, `orrery:team` (when the user has one), `orrery:purpose`, and `orrery:server`
 * or `orrery:run` when the session is for one. Values are kept to STS's character set and length.
 */
export const sessionTagsFor = (c: SessionContext): Record<string, string> => ({
  'orrery:user': tagValue(c.user),
  ...(c.team ? { 'orrery:team': tagValue(c.team) } : {}),
  'orrery:purpose': c.purpose,
  ...(c.serverId ? { 'orrery:server': tagValue(c.serverId) } : {}),
  ...(c.runId ? { 'orrery:run': tagValue(c.runId) } : {}),
});
