import { createHash } from 'node:crypto';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { type Audience, audienceOf } from '../../domain/listing.ts';
import { titleKey } from '../../domain/listing-order.ts';
import { listingKey, type Notebook } from '../../domain/notebook.ts';
import type { SourcePage, SourcePageRequest } from '../../ports/notebook-store.ts';
import { isConditionFailure } from './aws-errors.ts';
import { queryIndexPage } from './dynamodb-index-page.ts';
import { audienceKey, fromNotebookItem, notebookPk, notebookProjection } from './notebook-items.ts';

/** What a filtered listing reads: a tag, a group or an owner, with the audience it lists for. */
export type Facet = { kind: 'tag'; tag: string } | { kind: 'group'; group: string } | { kind: 'owner'; owner: string };

/**
 * One listing entry: its id among the notebook's entries, its partition and sort key in gsi1 (a facet's or the
 * titles' part for one audience), and, for tags and titles, its partition in gsi3 (the whole, for admins).
 */
interface EntryKey {
  id: string;
  pk: string;
  sk: string;
  whole?: string;
}

const facetPk = (f: Facet): string => {
  if (f.kind === 'tag') return `BYTAG#${f.tag}`;
  return f.kind === 'group' ? `BYGROUP#${f.group}` : `BYOWNER#${f.owner}`;
};

/** The gsi1 partition of a facet's notebooks for one audience. */
export const entryPartition = (f: Facet, a: Audience): string => `${facetPk(f)}#${audienceKey(a)}`;
/** The gsi3 partition of a tag's notebooks for every audience, for admins. */
export const tagEntryPartition = (tag: string): string => facetPk({ kind: 'tag', tag });
/** The gsi1 partition of the titles of one audience's notebooks, sorted by title key. */
export const titlePartition = (a: Audience): string => `BYTITLE#${audienceKey(a)}`;
/** The gsi3 partition of every live notebook's title, for admins. */
export const TITLES_PARTITION = 'BYTITLE';

const keysOf = (nb: Notebook): EntryKey[] => {
  if (nb.archived) return [];
  const a = audienceOf(nb);
  const lk = listingKey(nb);
  // What only its owner may see needs no owner entry: gsi2 `AUD#OWNER#<owner>` is that part already.
  const facets: Facet[] = [
    ...nb.tags.map((tag) => ({ kind: 'tag' as const, tag })),
    ...(nb.group ? [{ kind: 'group' as const, group: nb.group }] : []),
    ...(a.kind === 'owner' ? [] : [{ kind: 'owner' as const, owner: nb.owner }]),
  ];
  const sk = titleKey(nb);
  // A title entry per title key, so a rename marks the new one where it will sort and leaves the old one where it
  // was until a reader would find the item moved; a digest keeps the id short.
  const title = {
    id: `${titlePartition(a)}#${createHash('sha256').update(sk.slice(0, -lk.length)).digest('base64url')}`,
    pk: titlePartition(a),
    sk,
    whole: TITLES_PARTITION,
  };
  return [
    ...facets.map((f) => {
      const split = entryPartition(f, a);
      return { id: split, pk: split, sk: lk, ...(f.kind === 'tag' ? { whole: tagEntryPartition(f.tag) } : {}) };
    }),
    title,
  ];
};

/** The sort key prefix of a notebook's listing entries in its partition. */
export const ENTRY_PREFIX = 'E#';
/** The gsi2 partition of entries whose writes have not finished, sorted by when they were marked. */
export const PENDING_PARTITION = 'LISTINGS#PENDING';

const entryKey = (id: string, entry: string) => ({ PK: notebookPk(id), SK: `${ENTRY_PREFIX}${entry}` });

// Does the notebook as it is now have the entry stored under this sort key (`E#<id>`)?
const hasEntry = (nb: Notebook, sk: string): boolean => keysOf(nb).some((k) => `${ENTRY_PREFIX}${k.id}` === sk);

// An entry is written only for the revision it holds or a later one, never over a later writer's mark.
const NOT_NEWER = {
  ConditionExpression:
    '(attribute_not_exists(pending) OR pending <= :rev) AND (attribute_not_exists(rev) OR rev <= :rev)',
};

// A mark keeps the copy an entry holds (a reader resolves it from the item now) and enters the pending index.
const MARK_SETS = [
  'pending = :rev',
  'pendingAt = :at',
  'notebookId = :id',
  'entity = :entity',
  'GSI1PK = :pk',
  'GSI1SK = :sk',
  'GSI2PK = :pendingPk',
  'GSI2SK = :pendingSk',
];

// A tag's or a title's entry is in its partition of every audience too (gsi3), for admins.
const WHOLE_SETS = ['GSI3PK = :whole', 'GSI3SK = :sk'];

/** What a pending entry was seen as, so a repair rewrites it only if no writer has marked it since. */
export interface SeenPending {
  pending: number;
  pendingAt: string;
}

/**
 * A notebook's listing entries: a copy of its listed fields in the partition of each tag, its group and its owner,
 * for its audience, kept in the notebook's own partition (`NB#<id>` / `E#<partition>`), so a tag, group or
 * `owner=` page reads from gsi1 only what the user may see, and the page is the entries themselves.
 *
 * dynalite has no transactions, so an edit marks the entries it will touch as pending before it writes the
 * notebook (a reader resolves a pending entry from the notebook item, which decides), and rewrites them after:
 * each then holds the copy of the revision written, or a tombstone (an entry in no index) for a partition the
 * notebook left. Entries are written only for a revision at least theirs and never over a later writer's mark,
 * so a late writer cannot put back what a later edit took away. A writer that died leaves its marks, which stay
 * right (resolved from the item) until `repair` rewrites them.
 */
export class ListingEntries {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Marks the entries of every state given as pending for revision `rev`, before the notebook is written. */
  async mark(states: Notebook[], rev: number, at: string): Promise<void> {
    const keys = new Map(states.flatMap(keysOf).map((k) => [k.id, k]));
    const nb = states[0];
    if (!nb) return;
    await Promise.all(
      [...keys.values()].map((k) =>
        this.conditionally(
          new UpdateCommand({
            TableName: this.table,
            Key: entryKey(nb.id, k.id),
            UpdateExpression: `SET ${[...MARK_SETS, ...(k.whole ? WHOLE_SETS : [])].join(', ')}`,
            // An entry already written for this revision or a later one means a later edit won: this one retries.
            ConditionExpression:
              '(attribute_not_exists(pending) OR pending <= :rev) AND (attribute_not_exists(rev) OR rev < :rev)',
            ExpressionAttributeValues: {
              ':rev': rev,
              ':at': at,
              ':id': nb.id,
              ':entity': 'listing-entry',
              ':pk': k.pk,
              ':sk': k.sk,
              ':pendingPk': PENDING_PARTITION,
              ':pendingSk': `${at}#${nb.id}`,
              ...(k.whole ? { ':whole': k.whole } : {}),
            },
          }),
        ),
      ),
    );
  }

  /**
   * Writes the entries of revision `rev` of notebook `id` once its item holds it (`nb` null: no live notebook): a
   * copy in each partition it is listed in, a tombstone in each other one `touched` names. `seen` narrows the
   * writes to entries still as a repair saw them (pending ones as seen, the others not pending).
   */
  async write(id: string, nb: Notebook | null, rev: number, touched: string[], seen?: Map<string, SeenPending>) {
    const live = nb && !nb.archived ? keysOf(nb) : [];
    const liveIds = new Set(live.map((k) => k.id));
    const put = (entry: string, item: Record<string, unknown>) =>
      this.conditionally(
        new PutCommand({
          TableName: this.table,
          Item: { ...entryKey(id, entry), entity: 'listing-entry', notebookId: id, rev, ...item },
          ...this.guard(entry, rev, seen),
        }),
      );
    await Promise.all([
      ...live.map((k) => put(k.id, this.copyOf(nb as Notebook, k))),
      ...[...new Set(touched)].filter((entry) => !liveIds.has(entry)).map((entry) => put(entry, { gone: true })),
    ]);
  }

  /** The entry ids of every state given, for `write`'s tombstones. */
  touched(states: Notebook[]): string[] {
    return states.flatMap(keysOf).map((k) => k.id);
  }

  /**
   * A page of one entry partition (gsi1: a facet's or the titles' part for one audience; gsi3: a tag's or the
   * titles' whole), newest first or, given a title `prefix`, by title: the copies as they are, and for a pending
   * entry its notebook item, kept if the notebook as it is now has that entry.
   */
  async page(
    where: { index: 'gsi1' | 'gsi3'; partition: string; prefix?: string },
    page: SourcePageRequest,
  ): Promise<SourcePage> {
    const read = { ...where, attributes: ['pending', 'notebookId', 'SK'] };
    const { items: entries, next } = await queryIndexPage(this.doc, this.table, read, page);
    const pending = entries.filter((e) => e.pending !== undefined).map((e) => e.notebookId as string);
    const truth = pending.length ? await batchGetNotebooks(this.doc, this.table, pending) : new Map<string, Notebook>();
    const items: Notebook[] = [];
    const ids = new Set<string>();
    const keep = (e: Record<string, unknown>): boolean => {
      const nb = e.pending === undefined ? fromNotebookItem(e) : truth.get(e.notebookId as string);
      // A whole partition (gsi3) holds two entries of a notebook, at one sort key, while an edit moves its audience.
      if (!nb || ids.has(nb.id) || (e.pending !== undefined && !hasEntry(nb, e.SK as string))) return false;
      ids.add(nb.id);
      items.push(nb);
      return true;
    };
    const kept = entries.map(keep);
    // The page ended on a stale one of those two: its twin, at the same key, would be past the next page's start.
    if (next !== undefined && kept.length > 0 && !kept.at(-1)) {
      const twins = await queryIndexPage(this.doc, this.table, { ...read, at: next }, { limit: 10 });
      twins.items.forEach(keep);
    }
    return { items, next };
  }

  private copyOf(nb: Notebook, k: EntryKey): Record<string, unknown> {
    return { ...nb, GSI1PK: k.pk, GSI1SK: k.sk, ...(k.whole ? { GSI3PK: k.whole, GSI3SK: k.sk } : {}) };
  }

  private guard(entry: string, rev: number, seen?: Map<string, SeenPending>) {
    const was = seen?.get(entry);
    if (!seen) return { ...NOT_NEWER, ExpressionAttributeValues: { ':rev': rev } };
    if (!was) {
      return {
        ConditionExpression: 'attribute_not_exists(pending) AND (attribute_not_exists(rev) OR rev <= :rev)',
        ExpressionAttributeValues: { ':rev': rev },
      };
    }
    return {
      ConditionExpression: 'pending = :p AND pendingAt = :at',
      ExpressionAttributeValues: { ':p': was.pending, ':at': was.pendingAt },
    };
  }

  private async conditionally(command: PutCommand | UpdateCommand): Promise<void> {
    try {
      await this.doc.send(command as PutCommand);
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}

/** Reads notebooks by id, 100 keys a request, listed fields only; absent ones are missing from the map. */
export const batchGetNotebooks = async (
  doc: DynamoDBDocumentClient,
  table: string,
  ids: string[],
): Promise<Map<string, Notebook>> => {
  const found = new Map<string, Notebook>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map((id) => ({
      PK: notebookPk(id),
      SK: 'META',
    }));
    for (let round = 0; keys?.length && round < 8; round += 1) {
      const out: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ...notebookProjection } } }),
      );
      for (const item of out.Responses?.[table] ?? []) found.set(item.id as string, fromNotebookItem(item));
      keys = out.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return found;
};
