import {
  belongsInListing,
  type ListingIndexes,
  listingOrder,
  listingScope,
  planSources,
  type NotebookFilter,
  searchesTitles,
} from '../domain/listing.ts';
import { comesFirst, type ListingOrder, positionOf } from '../domain/listing-order.ts';
import type { Notebook } from '../domain/notebook.ts';
import type { User } from '../domain/user.ts';
import type { CursorCodec } from '../ports/cursor-codec.ts';
import type { ListSource, NotebookStore } from '../ports/notebook-store.ts';
import type { ListingCache } from './listing-cache.ts';

/** What listing notebooks needs; without a cache every page is read from the store. */
export interface ListNotebooksDeps {
  notebooks: NotebookStore;
  cursors: CursorCodec;
  listingCache?: ListingCache<NotebookPage>;
}

/** One listing request: who asks, the filter, and where the page starts. */
export interface ListNotebooksInput {
  user: User;
  filter: NotebookFilter;
  limit: number;
  cursor?: string;
}

/** A page of notebooks and the cursor for the next one. */
export interface NotebookPage {
  items: Notebook[];
  nextCursor: string | null;
}

// Bounds the work one request may do when a filter matches few of the items read.
const MAX_ITEMS_READ = 2000;
// The most and the least one Query asks for.
const MAX_QUERY_LIMIT = 200;
const MIN_QUERY_LIMIT = 5;

/** A notebook read from a source, with its position in the listing's order, worked out once. */
interface Positioned {
  nb: Notebook;
  at: string;
}

interface SourceState {
  source: ListSource;
  buffer: Positioned[];
  next?: string;
  done: boolean;
  /** Items of this source merged so far: its observed share of the order. */
  merged: number;
  /** What its last Query asked for. */
  asked: number;
}

/** How the page is going: items merged from every source, how many of them were kept, how many it still needs. */
interface Progress {
  merged: number;
  kept: number;
  need: number;
}

/**
 * Lists the notebooks a user may see, filtered: from the cache when the listing stamp read first has not moved
 * since the same caller read the same page, else from the store (and kept).
 */
export const listNotebooks = async (deps: ListNotebooksDeps, input: ListNotebooksInput): Promise<NotebookPage> => {
  const indexes = await listingIndexes(deps.notebooks, input.user, input.filter);
  if (!deps.listingCache) return readPage(deps, input, indexes);
  const stamp = await deps.notebooks.listingStamp();
  const key = pageKey(input, listingOrder(input.filter, indexes.byTitle));
  return deps.listingCache.page(key, stamp, () => readPage(deps, input, indexes));
};

/** Which indexes this listing reads as the store stands: its filter split by audience, its search by title. */
export const listingIndexes = async (
  notebooks: Pick<NotebookStore, 'listsByAudience' | 'indexesTitles'>,
  user: User,
  filter: NotebookFilter,
): Promise<ListingIndexes> => ({
  byAudience: !!(filter.tag || filter.group || filter.owner) && (await notebooks.listsByAudience()),
  byTitle: searchesTitles(user, filter) && (await notebooks.indexesTitles()),
});

// Everything a page depends on: what the user may see (id, admin, teams), the filter, the order and the position.
const pageKey = ({ user, filter, limit, cursor }: ListNotebooksInput, order: ListingOrder): string =>
  JSON.stringify([user.id, user.admin, [...user.teams].sort(), listingScope(filter, order), limit, cursor ?? '']);

/**
 * Reads a page of the notebooks a user may see, filtered.
 * 1. Decode the cursor (sealed to this filter and order) into a position in the order: newest first, or by title.
 * 2. Plan the index Queries that hold every candidate.
 * 3. Merge their pages in that order, dropping duplicates and what the user may not see,
 *    until the page is full, the sources run dry or the read budget is spent. A source is read only when
 *    its buffer runs dry, and only its likely share of what the page still needs, so a page of k sources
 *    reads about a page, not k pages.
 * 4. Seal the last position read into the next cursor.
 */
const readPage = async (
  deps: ListNotebooksDeps,
  input: ListNotebooksInput,
  indexes: ListingIndexes,
): Promise<NotebookPage> => {
  const order = listingOrder(input.filter, indexes.byTitle);
  const scope = listingScope(input.filter, order);
  const start = input.cursor ? deps.cursors.decode(scope, input.cursor) : undefined;
  const states: SourceState[] = planSources(input.user, input.filter, indexes).map((source) => ({
    source,
    buffer: [],
    next: start,
    done: false,
    merged: 0,
    asked: 0,
  }));
  const items: Notebook[] = [];
  let position: string | undefined;
  let read = 0;
  while (items.length < input.limit && read < MAX_ITEMS_READ) {
    const progress = { merged: read, kept: items.length, need: input.limit - items.length };
    await refill(deps.notebooks, states, progress, order);
    const head = pickFirst(states, order);
    if (!head) break;
    for (const s of states) {
      if (s.buffer[0]?.at === head.at) s.merged += 1;
      while (s.buffer[0]?.at === head.at) s.buffer.shift();
    }
    read += 1;
    position = head.at;
    if (belongsInListing(input.user, input.filter, head.nb)) items.push(head.nb);
  }
  const more = states.some((s) => s.buffer.length > 0 || !s.done);
  return { items, nextCursor: more && position ? deps.cursors.encode(scope, position) : null };
};

// A source reads its likely share of what the page still needs, since what is left over when the page is full
// was read for nothing. A lone source reads the rest of the page (and one more, to end without another round);
// several start at half an even split, then follow the share each has shown and the share the filter keeps.
const refill = async (store: NotebookStore, states: SourceState[], p: Progress, order: ListingOrder) => {
  const dry = states.filter((s) => s.buffer.length === 0 && !s.done);
  if (dry.length === 0) return;
  const live = states.filter((s) => !s.done).length;
  const toMerge = p.kept > 0 ? (p.need * p.merged) / p.kept : p.need * (p.merged > 0 ? 2 : 1);
  const share = (s: SourceState) =>
    live === 1 ? toMerge : p.merged === 0 ? toMerge / (2 * live) : (toMerge * (s.merged + 1)) / (p.merged + live);
  // While the filter keeps nothing, each source asks for at least a few, then twice what it asked before.
  const keptNone = p.kept === 0;
  const size = (s: SourceState) =>
    Math.max(Math.ceil(share(s)) + 1, keptNone ? MIN_QUERY_LIMIT : 1, keptNone && p.merged > 0 ? 2 * s.asked : 0);
  await Promise.all(dry.map((s) => fill(store, s, Math.min(size(s), MAX_QUERY_LIMIT), order)));
};

// A page may come back empty but not last (a tag entry whose notebook moved on, a Query with a filter), so read
// on, asking for twice as much each time.
const fill = async (store: NotebookStore, state: SourceState, limit: number, order: ListingOrder): Promise<void> => {
  for (let ask = limit; state.buffer.length === 0 && !state.done; ask = Math.min(2 * ask, MAX_QUERY_LIMIT)) {
    state.asked = ask;
    const page = await store.listSource(state.source, { past: state.next, limit: ask });
    state.buffer.push(...page.items.map((nb) => ({ nb, at: positionOf(order, nb) })));
    state.next = page.next;
    state.done = page.next === undefined;
  }
};

const pickFirst = (states: SourceState[], order: ListingOrder): Positioned | undefined => {
  let best: Positioned | undefined;
  for (const s of states) {
    const candidate = s.buffer[0];
    if (candidate && (!best || comesFirst(order, candidate.at, best.at))) best = candidate;
  }
  return best;
};
