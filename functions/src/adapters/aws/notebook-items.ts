import { type Audience, audienceOf } from '../../domain/listing.ts';
import type { Notebook, NotebookVersion } from '../../domain/notebook.ts';
import { listingKey } from '../../domain/notebook.ts';

/** The partition of a notebook and its versions. */
export const notebookPk = (id: string) => `NB#${id}`;
/** The sort key of a version: zero-padded so versions sort by number. */
export const versionSk = (version: number) => `V#${String(version).padStart(10, '0')}`;
/** The audience partition (gsi2) of what only its owner may see: private notebooks, and team ones with no team. */
export const ownerOnlyPk = (owner: string) => `AUD#OWNER#${owner}`;
/** An audience's partition of gsi2, and the suffix of its part of a tag, group or owner listing. */
export const audienceKey = (a: Audience): string => {
  if (a.kind === 'org') return 'AUD#ORG';
  return a.kind === 'team' ? `AUD#TEAM#${a.team}` : ownerOnlyPk(a.owner);
};
/** The partition of one tag's index entries (the layout before listing entries). */
export const tagPk = (tag: string) => `TAG#${tag}`;

/**
 * A notebook's metadata item as stored, with the revision that orders concurrent edits; `entriesRev` says which
 * revision its listing entries were written for (an item written by a release before them has none), `titlesRev`
 * the same for its title entry.
 */
export type NotebookItem = Notebook & { PK: string; SK: 'META'; rev: number } & Record<string, unknown>;

/**
 * The index keys a live notebook carries; an archived one carries none, so it leaves every listing. Each live
 * notebook is in exactly one audience partition (gsi2: the org, a team, or its owner alone), so a user's default
 * listing reads partitions that share nothing.
 */
export const indexKeys = (nb: Notebook): Record<string, string> => {
  const lk = listingKey(nb);
  const keys: Record<string, string> = {
    GSI1PK: `OWNER#${nb.owner}`,
    GSI1SK: lk,
    GSI2PK: audienceKey(audienceOf(nb)),
    GSI2SK: lk,
    GSI4PK: 'NOTEBOOKS',
    GSI4SK: lk,
  };
  if (nb.group) Object.assign(keys, { GSI3PK: `GROUP#${nb.group}`, GSI3SK: lk });
  return nb.archived ? {} : keys;
};

// Every field of a Notebook, checked by the compiler: a field added to Notebook must be listed here too, or listings
// would drop it.
const NOTEBOOK_FIELDS = Object.keys({
  id: true,
  title: true,
  description: true,
  tags: true,
  group: true,
  visibility: true,
  owner: true,
  team: true,
  createdAt: true,
  updatedAt: true,
  latestVersion: true,
  archived: true,
  archivedAt: true,
} satisfies Record<keyof Notebook, true>);

/**
 * A projection of what fromNotebookItem reads, for listings: an item's index keys and storage attributes are as
 * large as the notebook's own fields, and each listed item was parsed and unmarshalled whole.
 */
export const notebookProjection = {
  ProjectionExpression: NOTEBOOK_FIELDS.map((_, i) => `#n${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(NOTEBOOK_FIELDS.map((f, i) => [`#n${i}`, f])),
};

/** Builds the stored item of a notebook at a revision, whose listing entries are written for it. */
export const toNotebookItem = (nb: Notebook, rev: number): NotebookItem => ({
  ...nb,
  ...indexKeys(nb),
  PK: notebookPk(nb.id),
  SK: 'META',
  rev,
  entriesRev: rev,
  titlesRev: rev,
  entity: 'notebook',
});

/** Reads a notebook back from its item, dropping storage-only attributes. */
export const fromNotebookItem = (item: Record<string, unknown>): Notebook => {
  const nb: Notebook = {
    id: item.id as string,
    title: item.title as string,
    description: (item.description as string) ?? '',
    tags: (item.tags as string[]) ?? [],
    group: (item.group as string | null) ?? null,
    visibility: item.visibility as Notebook['visibility'],
    owner: item.owner as string,
    team: (item.team as string | null) ?? null,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    latestVersion: Number(item.latestVersion ?? 0),
    archived: item.archived === true,
  };
  if (typeof item.archivedAt === 'string') nb.archivedAt = item.archivedAt;
  return nb;
};

/** Builds the stored item of a version. */
export const toVersionItem = (v: NotebookVersion) => ({
  ...v,
  PK: notebookPk(v.notebookId),
  SK: versionSk(v.version),
  entity: 'version',
});

/** Reads a version back from its item. */
export const fromVersionItem = (item: Record<string, unknown>): NotebookVersion => {
  const { PK: _pk, SK: _sk, entity: _e, ...rest } = item;
  return rest as unknown as NotebookVersion;
};
