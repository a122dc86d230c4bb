import { canRead, listingKey, type Notebook } from './notebook.ts';
import type { User } from './user.ts';

/** What a caller may filter notebook listings by. */
export interface NotebookFilter {
  tag?: string;
  group?: string;
  owner?: string;
  q?: string;
}

/** Where a listing reads from; the notebook store reads each source as one DynamoDB Query, newest first. */
export type ListSource =
  | { kind: 'owner'; owner: string }
  /** What only its owner may see: private notebooks, and team ones with no team. */
  | { kind: 'ownerOnly'; owner: string }
  | { kind: 'team'; team: string }
  | { kind: 'org' }
  | { kind: 'group'; group: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'all' };

/**
 * Picks the indexes that together hold every notebook this listing can show, most selective first:
 * a tag, then a group, then an owner; with no such filter, everything the user may see (what only they may see,
 * their teams', the org's; for admins, all). Those sources share no notebook, so a page reads each once. A team
 * notebook of a team its owner has since left lists for that team, and for its owner under `owner=`.
 */
export const planSources = (user: User, filter: NotebookFilter): ListSource[] => {
  if (filter.tag) return [{ kind: 'tag', tag: filter.tag }];
  if (filter.group) return [{ kind: 'group', group: filter.group }];
  if (filter.owner) return [{ kind: 'owner', owner: filter.owner }];
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

/** The scope a cursor is sealed to, so a cursor from one filter cannot page through another. */
export const listingScope = (filter: NotebookFilter): string =>
  JSON.stringify([
    'notebooks',
    filter.tag ?? '',
    filter.group ?? '',
    filter.owner ?? '',
    (filter.q ?? '').toLowerCase(),
  ]);

/** Orders notebooks the way every listing does: newest first. */
export const newestFirst = (a: Notebook, b: Notebook): number =>
  listingKey(a) < listingKey(b) ? 1 : listingKey(a) > listingKey(b) ? -1 : 0;
