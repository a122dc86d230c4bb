import { canReadRun, runListingKey, type Run, type RunStatus } from '../domain/run.ts';
import type { User } from '../domain/user.ts';
import type { RunSource } from '../ports/run-store.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { viewRun, type RunView, type ViewRunDeps } from './get-run.ts';
import type { RunDeps } from './run-deps.ts';

/** What listing runs needs. */
export type ListRunsDeps = ViewRunDeps & Pick<RunDeps, 'runs'> & Pick<FoliumDeps, 'cursors'>;

/** Filters of GET /runs. */
export interface RunFilter {
  notebookId?: string;
  owner?: string;
  status?: RunStatus;
}

// Bounds one request's reads when a filter matches few of the runs read.
const MAX_READ = 1000;

const sourceFor = (user: User, f: RunFilter): RunSource => {
  if (f.notebookId) return { kind: 'notebook', notebookId: f.notebookId };
  if (f.owner) return { kind: 'owner', owner: f.owner };
  if (f.status && user.admin) return { kind: 'status', status: f.status };
  return { kind: 'owner', owner: user.id };
};

/**
 * Lists runs newest first: by notebook, by owner (yours by default) or by status, each one Query.
 * 1. Pick the index from the most selective filter; apply the others and read access to each run (who started
 *    it, the notebook's owner, admins: another owner's runs show only those of your notebooks).
 * 2. Page with a cursor sealed to the filter; stop at the page size or the read budget. A page may hold fewer
 *    runs than the limit (even none) and still have a `nextCursor`: null alone means there is no more.
 */
export const listRuns = async (
  deps: ListRunsDeps,
  input: { user: User; filter: RunFilter; limit: number; cursor?: string },
): Promise<{ items: RunView[]; nextCursor: string | null }> => {
  const scope = JSON.stringify([
    'runs',
    input.filter.notebookId ?? '',
    input.filter.owner ?? '',
    input.filter.status ?? '',
  ]);
  let before = input.cursor ? deps.cursors.decode(scope, input.cursor) : undefined;
  const source = sourceFor(input.user, input.filter);
  const items: Run[] = [];
  let read = 0;
  let more = false;
  while (items.length < input.limit && read < MAX_READ) {
    const page = await deps.runs.listRuns(source, { before, limit: input.limit + 1 });
    let consumed = 0;
    for (const run of page.items) {
      if (items.length === input.limit) break;
      consumed += 1;
      read += 1;
      before = runListingKey(run);
      if (matches(input.filter, run) && canReadRun(input.user, run)) items.push(run);
    }
    more = consumed < page.items.length || page.next !== undefined;
    if (!more) break;
  }
  return {
    items: await Promise.all(items.map((r) => viewRun(deps, r))),
    nextCursor: more && before ? deps.cursors.encode(scope, before) : null,
  };
};

const matches = (f: RunFilter, run: Run) =>
  (!f.notebookId || run.notebookId === f.notebookId) &&
  (!f.owner || run.owner === f.owner) &&
  (!f.status || run.status === f.status);
