import type { CredentialIssue } from '../domain/credentials.ts';
import { ForbiddenError } from '../domain/errors.ts';
import type { User } from '../domain/user.ts';
import type { CredentialDeps } from './credential-deps.ts';

/** What reading the credential log needs. */
export type ListCredentialLogDeps = Pick<CredentialDeps, 'credentialLog' | 'cursors'>;

/** A page of the credential log as the API answers it. */
export interface CredentialLogAnswer {
  items: CredentialIssue[];
  nextCursor: string | null;
}

type PageInput = { user: User; limit: number; cursor?: string };

/**
 * GET /credentials/log: the caller's own issues, newest first.
 * 1. Open the cursor, sealed to this caller's log (another user's cursor is a 400).
 * 2. Read one page of the caller's issues and seal the position after it.
 */
export const listOwnCredentialLog = async (
  deps: ListCredentialLogDeps,
  input: PageInput,
): Promise<CredentialLogAnswer> => {
  const scope = JSON.stringify(['credential-log', input.user.id]);
  const before = input.cursor ? deps.cursors.decode(scope, input.cursor) : undefined;
  const page = await deps.credentialLog.listForUser(input.user.id, { before, limit: input.limit });
  return { items: page.items, nextCursor: page.next ? deps.cursors.encode(scope, page.next) : null };
};

/**
 * GET /admin/credentials: every issue, newest first; admins only.
 * 1. Refuse anyone but an admin (403).
 * 2. Open the cursor, read one page of the whole log and seal the position after it.
 */
export const listAllCredentialLog = async (
  deps: ListCredentialLogDeps,
  input: PageInput,
): Promise<CredentialLogAnswer> => {
  if (!input.user.admin) throw new ForbiddenError('only admins may read the credential log of every user');
  const scope = JSON.stringify(['credential-log', '*']);
  const before = input.cursor ? deps.cursors.decode(scope, input.cursor) : undefined;
  const page = await deps.credentialLog.listAll({ before, limit: input.limit });
  return { items: page.items, nextCursor: page.next ? deps.cursors.encode(scope, page.next) : null };
};
