import type { CredentialIssue } from '../domain/credentials.ts';

/** One page of the credential log, newest first; `next` is the position after its last item, when there is more. */
export interface CredentialLogPage {
  items: CredentialIssue[];
  next?: string;
}

/** Where to read a page from: after `before` (a position a previous page returned), at most `limit` items. */
export interface CredentialLogQuery {
  before?: string;
  limit: number;
}

/** The audit log of issued credentials: one record per issue, no key material. */
export interface CredentialLog {
  /** Adds one issue; it is readable by the time this resolves. */
  record(issue: CredentialIssue): Promise<void>;
  /** A user's issues, newest first. */
  listForUser(user: string, page: CredentialLogQuery): Promise<CredentialLogPage>;
  /** Every issue, newest first. */
  listAll(page: CredentialLogQuery): Promise<CredentialLogPage>;
}
