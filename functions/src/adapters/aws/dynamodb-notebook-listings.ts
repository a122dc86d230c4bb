import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ListSource, SourcePage, SourcePageRequest } from '../../ports/notebook-store.ts';
import type { IndexBackfill } from './dynamodb-index-backfill.ts';
import { type IndexName, type PageFilter, queryIndexPage } from './dynamodb-index-page.ts';
import {
  entryPartition,
  type Facet,
  type ListingEntries,
  TITLES_PARTITION,
  tagEntryPartition,
  titlePartition,
} from './dynamodb-listing-entries.ts';
import type { TagEntries } from './dynamodb-tag-entries.ts';
import { fromNotebookItem, ownerOnlyPk } from './notebook-items.ts';

type IndexedSource = Exclude<ListSource, { kind: 'tag' | 'title' }>;
type FacetSource = Extract<ListSource, { kind: 'tag' | 'group' | 'owner' }>;

const facetOf = (source: FacetSource): Facet => {
  if (source.kind === 'tag') return { kind: 'tag', tag: source.tag };
  return source.kind === 'group' ? { kind: 'group', group: source.group } : { kind: 'owner', owner: source.owner };
};

const INDEX_OF: Record<IndexedSource['kind'], IndexName> = {
  owner: 'gsi1',
  ownerOnly: 'gsi2',
  team: 'gsi2',
  org: 'gsi2',
  group: 'gsi3',
  all: 'gsi4',
};

const partitionOf = (source: IndexedSource): string => {
  switch (source.kind) {
    case 'owner':
      return `OWNER#${source.owner}`;
    case 'ownerOnly':
      return ownerOnlyPk(source.owner);
    case 'team':
      return `AUD#TEAM#${source.team}`;
    case 'org':
      return 'AUD#ORG';
    case 'group':
      return `GROUP#${source.group}`;
    case 'all':
      return 'NOTEBOOKS';
  }
};

// Until every notebook has its audience partition, what only its owner may see is read from the owner index:
// the notebooks there in no audience partition, or in the owner's own.
const NOT_SHARED: PageFilter = {
  FilterExpression: 'attribute_not_exists(#aud) OR begins_with(#aud, :ownerOnly)',
  ExpressionAttributeNames: { '#aud': 'GSI2PK' },
  ExpressionAttributeValues: { ':ownerOnly': ownerOnlyPk('') },
};

/** The store's listing layout and its backfills, which say when listings may read the current one. */
export interface ListingLayout {
  tags: TagEntries;
  entries: ListingEntries;
  audiences: IndexBackfill;
  entriesBackfill: IndexBackfill;
  titlesBackfill: IndexBackfill;
}

/**
 * Reads one page of a listing source, newest first (titles by title): one Query of an index; for a filter split by
 * audience, a tag or titles, one Query of listing entries (and the items of any pending ones).
 */
export class NotebookListings {
  // The store's own entries and backfills: one of each per store.
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly layout: ListingLayout,
  ) {}

  /** Items past `past` in the source's order; `next` is where the Query stopped. */
  async page(source: ListSource, page: SourcePageRequest): Promise<SourcePage> {
    if (source.kind === 'title') {
      const { prefix, audience } = source;
      const where = audience
        ? { index: 'gsi1' as const, partition: titlePartition(audience), prefix }
        : { index: 'gsi3' as const, partition: TITLES_PARTITION, prefix };
      return this.layout.entries.page(where, page);
    }
    if (source.kind === 'owner' && source.audience?.kind === 'owner') {
      const own = source.audience.owner === source.owner;
      return own ? this.page({ kind: 'ownerOnly', owner: source.owner }, page) : { items: [] };
    }
    if ((source.kind === 'tag' || source.kind === 'group' || source.kind === 'owner') && source.audience) {
      const partition = entryPartition(facetOf(source), source.audience);
      return this.layout.entries.page({ index: 'gsi1', partition }, page);
    }
    if (source.kind === 'tag') {
      // Until every notebook has its listing entries, a tag page reads the tag hints.
      if (!(await this.layout.entriesBackfill.isDone())) return this.layout.tags.page(source.tag, page);
      return this.layout.entries.page({ index: 'gsi3', partition: tagEntryPartition(source.tag) }, page);
    }
    if (source.kind === 'ownerOnly' && !(await this.layout.audiences.isDone())) {
      return this.query('gsi1', `OWNER#${source.owner}`, page, NOT_SHARED);
    }
    return this.query(INDEX_OF[source.kind], partitionOf(source), page);
  }

  private async query(
    index: IndexName,
    partition: string,
    page: SourcePageRequest,
    filter?: PageFilter,
  ): Promise<SourcePage> {
    const { items, next } = await queryIndexPage(this.doc, this.table, { index, partition, filter }, page);
    return { items: items.map(fromNotebookItem), next };
  }
}
