import { ValidationError } from '../domain/errors.ts';
import { checkServerName, serverIdFor } from '../domain/server.ts';
import type { SparkSession } from '../domain/spark-session.ts';
import type { User } from '../domain/user.ts';
import { checkOwnerFilter, type SparkDeps, type SparkSessionView, viewSparkSession } from './spark-deps.ts';

/** What listing sessions needs. */
export type ListSparkSessionsDeps = Pick<SparkDeps, 'sparkSessions' | 'cursors'>;

/** Which sessions: a user's (`*`: everyone's, admins), one server's, by status, a page at a time. */
export interface ListSparkSessionsInput {
  user: User;
  owner?: string;
  server?: string;
  status?: SparkSession['status'];
  limit: number;
  cursor?: string;
}

type Page = { items: SparkSession[]; next?: string };

const position = (s: SparkSession) => `${s.createdAt}#${s.id}`;
// A status filter can leave a page short; a few more pages are read to fill it, never an unbounded number.
const MAX_READS = 5;

const fill = async (
  read: (after?: string) => Promise<Page>,
  keep: (s: SparkSession) => boolean,
  limit: number,
  after?: string,
) => {
  const items: SparkSession[] = [];
  let next = after;
  for (let reads = 0; reads < MAX_READS && items.length < limit; reads += 1) {
    const page = await read(next);
    for (const s of page.items) {
      if (items.length === limit) return { items, next: position(items.at(-1)!) };
      if (keep(s)) items.push(s);
      next = position(s);
    }
    if (!page.next) return { items, next: undefined };
    next = page.next;
  }
  return { items, next };
};

// Where the pages come from: a server's ACTIVE sessions have a key of their own (no stopped one is read); any
// other server listing reads the server's sessions; without a server, the owner's, or everyone's for `*`.
const readerOf = (deps: ListSparkSessionsDeps, input: ListSparkSessionsInput, whose: string) => {
  const page = (after?: string) => ({ after, limit: input.limit });
  if (!input.server)
    return (a?: string) =>
      whose === '*' ? deps.sparkSessions.listAll(page(a)) : deps.sparkSessions.listByOwner(whose, page(a));
  if (whose === '*')
    throw new ValidationError('name the owner of the server: ?owner=<user>&server=<name>', [
      { path: 'query.owner', message: 'a server belongs to one owner' },
    ]);
  const serverId = serverIdFor(whose, checkServerName(input.server, 'query.server'));
  return input.status === 'ACTIVE'
    ? (a?: string) => deps.sparkSessions.listActiveByServer(serverId, page(a))
    : (a?: string) => deps.sparkSessions.listByServer(serverId, page(a));
};

/**
 * GET /spark/sessions (and the server-token twin, for its own server): sessions newest first.
 * 1. Whose: the caller's; an admin may name any owner, or `*` for everyone (403 for anyone else naming another).
 * 2. `server`: that server's sessions (every launch of the name; ACTIVE ones from their own key), otherwise the
 *    owner's (or everyone's); a page at a time, one Query each. `status` filters what is read, reading a few more
 *    pages to fill a page (bounded).
 * 3. The cursor is sealed to the filter it was made for.
 */
export const listSparkSessions = async (
  deps: ListSparkSessionsDeps,
  input: ListSparkSessionsInput,
): Promise<{ items: SparkSessionView[]; nextCursor: string | null }> => {
  checkOwnerFilter(input.user, input.owner);
  const whose = input.owner ?? input.user.id;
  const scope = `spark:${whose}:${input.server ?? ''}:${input.status ?? ''}`;
  const after = input.cursor ? deps.cursors.decode(scope, input.cursor) : undefined;
  const keep = (s: SparkSession) => !input.status || s.status === input.status;
  const page = await fill(readerOf(deps, input, whose), keep, input.limit, after);
  return {
    items: page.items.map(viewSparkSession),
    nextCursor: page.next ? deps.cursors.encode(scope, page.next) : null,
  };
};
