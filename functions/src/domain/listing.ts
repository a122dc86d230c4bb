import { type ListingOrder, titlePrefix } from './listing-order.ts';
import { canRead, listingKey, type Notebook } from './notebook.ts';
import type { User } from './user.ts';

/** What a caller may filter notebook listings by. */
export interface NotebookFilter {
  tag?: string;
  group?: string;
  owner?: string;
  q?: string;
}

/** Who a live notebook is listed for: the org, one team, or its owner alone. Each notebook has exactly one. */
export type Audience = { kind: 'org' } | { kind: 'team'; team: string } | { kind: 'owner'; owner: string };

/** The one audience a notebook lists for: a team notebook with no team is its owner's alone, as a private one. */
export const audienceOf = (nb: Pick<Notebook, 'visibility' | 'team' | 'owner'>): Audience => {
  if (nb.visibility === 'org') return { kind: 'org' };
  if (nb.visibility === 'team' && nb.team) return { kind: 'team', team: nb.team };
  return { kind: 'owner', owner: nb.owner };
};

/** The audiences whose notebooks a (non-admin) user may list: their own, each of their teams', the org's. */
export const audiencesOf = (user: User): Audience[] => [
  { kind: 'owner', owner: user.id },
  ...user.teams.map((team) => ({ kind: 'team' as const, team })),
  { kind: 'org' },
];

/** Are these the same audience? */
export const sameAudience = (a: Audience, b: Audience): boolean =>
  a.kind === b.kind &&
  (a.kind !== 'team' || a.team === (b as typeof a).team) &&
  (a.kind !== 'owner' || a.owner === (b as typeof a).owner);

/**
 * Where a listing reads from; the notebook store reads each source as one DynamoDB Query, newest first, but for
 * titles: those that start with `prefix` (see titlePrefix), by title. A tag, group, owner or title source with an
 * audience holds only that audience's notebooks.
 */
export type ListSource =
  | { kind: 'owner'; owner: string; audience?: Audience }
  /** What only its owner may see: private notebooks, and team ones with no team. */
  | { kind: 'ownerOnly'; owner: string }
  | { kind: 'team'; team: string }
  | { kind: 'org' }
  | { kind: 'group'; group: string; audience?: Audience }
  | { kind: 'tag'; tag: string; audience?: Audience }
  | { kind: 'title'; prefix: string; audience?: Audience }
  | { kind: 'all' };

/** How a store can read listings now: split by audience, titles by title (false while being indexed). */
export interface ListingIndexes {
  byAudience: boolean;
  byTitle: boolean;
}

/**
 * May this listing read title sources, once the store indexes titles? A title search may, but not of the user's
 * own notebooks (`owner=` themselves): those include team notebooks of teams they have left, which no title
 * partition of theirs holds, so that search filters their owner index, newest first.
 */
export const searchesTitles = (user: User, filter: NotebookFilter): boolean => !!filter.q && filter.owner !== user.id;

/** The order of a listing: a title search that reads title sources (`byTitle`) by title, all else newest first. */
export const listingOrder = (filter: NotebookFilter, byTitle: boolean): ListingOrder =>
  filter.q && byTitle ? 'title' : 'newest';

/**
 * Picks the indexes that together hold every notebook this listing can show, most selective first: a title
 * search's matches when read by title (other filters then filter them), a tag, then a group, then an owner; with
 * no such filter, everything the user may see (what only they may see, their teams', the org's; for admins, all).
 * When the store reads filters by audience (`byAudience`), a filtered listing reads the filter's partition of each
 * audience the user may see, so it reads nothing the user may not see; admins, and owners listing their own, read
 * the filter whole. The sources of a plan share no notebook, so a page reads each once. A team notebook of a team
 * its owner has since left lists for that team, and for its owner under `owner=`.
 */
export const planSources = (
  user: User,
  filter: NotebookFilter,
  layout: ListingIndexes = { byAudience: false, byTitle: false },
): ListSource[] => {
  const split = (source: ListSource & { kind: 'tag' | 'group' | 'owner' }, audiences: Audience[]): ListSource[] =>
    layout.byAudience && !user.admin ? audiences.map((audience) => ({ ...source, audience })) : [source];
  if (filter.q && layout.byTitle) {
    const prefix = titlePrefix(filter.q);
    return user.admin
      ? [{ kind: 'title', prefix }]
      : audiencesOf(user).map((audience) => ({ kind: 'title' as const, prefix, audience }));
  }
  if (filter.tag) return split({ kind: 'tag', tag: filter.tag }, audiencesOf(user));
  if (filter.group) return split({ kind: 'group', group: filter.group }, audiencesOf(user));
  if (filter.owner === user.id) return [{ kind: 'owner', owner: user.id }];
  // Someone else's notebooks that only they may see are no one else's to list.
  if (filter.owner) {
    return split(
      { kind: 'owner', owner: filter.owner },
      audiencesOf(user).filter((a) => a.kind !== 'owner'),
    );
  }
  if (user.admin) return [{ kind: 'all' }];
  return [
    { kind: 'ownerOnly', owner: user.id },
    ...user.teams.map((team) => ({ kind: 'team' as const, team })),
    { kind: 'org' },
  ];
};

/** Does a notebook belong in this listing for this user? Archived ones never do. */
export const belongsInListing = (user: User, filter: NotebookFilter, nb: Notebook): boolean => {
  if (nb.archived || !canRead(user, nb)) return false;
  if (filter.tag && !nb.tags.includes(filter.tag)) return false;
  if (filter.group && nb.group !== filter.group) return false;
  if (filter.owner && nb.owner !== filter.owner) return false;
  if (filter.q && !nb.title.toLowerCase().startsWith(filter.q.toLowerCase())) return false;
  return true;
};

/** The scope a cursor is sealed to, so a cursor from one filter or order cannot page through another. */
export const listingScope = (filter: NotebookFilter, order: ListingOrder = 'newest'): string =>
  JSON.stringify([
    'notebooks',
    filter.tag ?? '',
    filter.group ?? '',
    filter.owner ?? '',
    (filter.q ?? '').toLowerCase(),
    ...(order === 'newest' ? [] : [order]),
  ]);

/** Orders notebooks the way every listing does: newest first. */
export const newestFirst = (a: Notebook, b: Notebook): number =>
  listingKey(a) < listingKey(b) ? 1 : listingKey(a) > listingKey(b) ? -1 : 0;
