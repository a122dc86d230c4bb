import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { listingKey, type Notebook } from '../../domain/notebook.ts';
import type { SourcePage, SourcePageRequest } from '../../ports/notebook-store.ts';
import { isConditionFailure } from './aws-errors.ts';
import { batchGetNotebooks } from './dynamodb-listing-entries.ts';
import { tagPk } from './notebook-items.ts';

/**
 * A notebook's tags as items of their own (`TAG#<tag>` / `<createdAt>#<id>`), the layout before listing entries:
 * hints written before the notebook item and removed after it; the item decides. Written and read only until the
 * listing entries' backfill is done.
 */
export class TagEntries {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Writes an entry for each tag, stamped with the revision of the edit that wrote it. */
  async put(nb: Notebook, tags: string[], rev: number): Promise<void> {
    await Promise.all(
      tags.map((tag) =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { PK: tagPk(tag), SK: listingKey(nb), notebookId: nb.id, rev, entity: 'tag' },
          }),
        ),
      ),
    );
  }

  /** Removes these tags' entries, unless a newer edit has rewritten them. */
  async drop(nb: Notebook, tags: string[], rev: number): Promise<void> {
    await Promise.all(
      tags.map(async (tag) => {
        try {
          await this.doc.send(
            new DeleteCommand({
              TableName: this.table,
              Key: { PK: tagPk(tag), SK: listingKey(nb) },
              ConditionExpression: 'rev <= :rev',
              ExpressionAttributeValues: { ':rev': rev },
            }),
          );
        } catch (err) {
          if (!isConditionFailure(err)) throw err;
        }
      }),
    );
  }

  /** A page of a tag's listing: its entries, then the live notebooks they point at, which decide. */
  async page(tag: string, page: SourcePageRequest): Promise<SourcePage> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: page.past ? 'PK = :pk AND SK < :past' : 'PK = :pk',
        ExpressionAttributeValues: { ':pk': tagPk(tag), ...(page.past ? { ':past': page.past } : {}) },
        ScanIndexForward: false,
        Limit: page.limit,
      }),
    );
    const entries = out.Items ?? [];
    const found = await batchGetNotebooks(
      this.doc,
      this.table,
      entries.map((e) => e.notebookId as string),
    );
    const items = entries
      .map((e) => found.get(e.notebookId as string))
      .filter((nb): nb is Notebook => !!nb && !nb.archived && nb.tags.includes(tag));
    const last = entries.at(-1);
    return { items, next: out.LastEvaluatedKey && last ? (last.SK as string) : undefined };
  }
}
