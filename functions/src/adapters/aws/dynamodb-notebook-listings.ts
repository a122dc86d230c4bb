import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ListSource, SourcePage } from '../../ports/notebook-store.ts';
import type { AudienceBackfill } from './dynamodb-audience-backfill.ts';
import type { TagEntries } from './dynamodb-tag-entries.ts';
import { fromNotebookItem, notebookProjection, ownerOnlyPk } from './notebook-items.ts';

type IndexedSource = Exclude<ListSource, { kind: 'tag' }>;

const GSI = {
  gsi1: { index: 'gsi1', pk: 'GSI1PK', sk: 'GSI1SK' },
  gsi2: { index: 'gsi2', pk: 'GSI2PK', sk: 'GSI2SK' },
  gsi3: { index: 'gsi3', pk: 'GSI3PK', sk: 'GSI3SK' },
  gsi4: { index: 'gsi4', pk: 'GSI4PK', sk: 'GSI4SK' },
};

const INDEX_OF: Record<IndexedSource['kind'], (typeof GSI)[keyof typeof GSI]> = {
  owner: GSI.gsi1,
  ownerOnly: GSI.gsi2,
  team: GSI.gsi2,
  org: GSI.gsi2,
  group: GSI.gsi3,
  all: GSI.gsi4,
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
const NOT_SHARED = {
  FilterExpression: 'attribute_not_exists(#aud) OR begins_with(#aud, :ownerOnly)',
  ExpressionAttributeNames: { '#aud': 'GSI2PK' },
  ExpressionAttributeValues: { ':ownerOnly': ownerOnlyPk('') },
};

/** Reads one page of a listing source: one Query of an index, newest first, or a tag's entries and notebooks. */
export class NotebookListings {
  private audiencesIndexed = false;

  // The store's own tag entries and backfill: one of each per store.
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly tags: TagEntries,
    private readonly backfill: AudienceBackfill,
  ) {}

  /** Items whose listing key is below `before`, newest first; `next` is where the Query stopped. */
  async page(source: ListSource, page: { before?: string; limit: number }): Promise<SourcePage> {
    if (source.kind === 'tag') return this.tags.page(source.tag, page);
    if (source.kind === 'ownerOnly' && !this.audiencesIndexed) {
      this.audiencesIndexed = await this.backfill.isDone();
      if (!this.audiencesIndexed) return this.query(GSI.gsi1, `OWNER#${source.owner}`, page, NOT_SHARED);
    }
    return this.query(INDEX_OF[source.kind], partitionOf(source), page);
  }

  private async query(
    { index, pk, sk }: (typeof GSI)[keyof typeof GSI],
    partition: string,
    page: { before?: string; limit: number },
    filter?: typeof NOT_SHARED,
  ): Promise<SourcePage> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: index,
        KeyConditionExpression: page.before ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
        ProjectionExpression: notebookProjection.ProjectionExpression,
        FilterExpression: filter?.FilterExpression,
        ExpressionAttributeNames: {
          ...notebookProjection.ExpressionAttributeNames,
          ...filter?.ExpressionAttributeNames,
          '#pk': pk,
          ...(page.before ? { '#sk': sk } : {}),
        },
        ExpressionAttributeValues: {
          ...filter?.ExpressionAttributeValues,
          ':pk': partition,
          ...(page.before ? { ':before': page.before } : {}),
        },
        ScanIndexForward: false,
        Limit: page.limit,
      }),
    );
    // Where the Query stopped, not the last item kept: a filtered page may keep none and still have more.
    const stop = out.LastEvaluatedKey?.[sk];
    return { items: (out.Items ?? []).map(fromNotebookItem), next: typeof stop === 'string' ? stop : undefined };
  }
}
