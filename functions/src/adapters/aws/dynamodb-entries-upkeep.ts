import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './aws-errors.ts';
import { IndexBackfill } from './dynamodb-index-backfill.ts';
import { ENTRY_PREFIX, type ListingEntries, PENDING_PARTITION, type SeenPending } from './dynamodb-listing-entries.ts';
import { fromNotebookItem, notebookPk } from './notebook-items.ts';

/**
 * Keeps listing entries true to their notebooks where no edit did: rewrites the marks of writers that died
 * (`repair`), and writes the entries of notebooks from before entries, or last written by a release without them
 * (`backfill`: an item whose `entriesRev` is not its `rev`), or without title entries (`titlesBackfill`: whose
 * `titlesRev` is not).
 */
export class ListingEntriesUpkeep {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly entries: ListingEntries,
  ) {}

  /**
   * Rewrites the entries of notebooks marked pending before `olderThan` (an ISO time: long enough ago that their
   * writer has finished or died), at most `limit` marks a call. Returns how many notebooks it rewrote.
   */
  async repair(olderThan: string, limit: number): Promise<number> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi2',
        KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :older',
        ExpressionAttributeValues: { ':pk': PENDING_PARTITION, ':older': olderThan },
        ProjectionExpression: 'notebookId',
        Limit: limit,
      }),
    );
    const ids = [...new Set((out.Items ?? []).map((e) => e.notebookId as string))];
    for (const id of ids) await this.rewrite(id, true);
    return ids.length;
  }

  /** The backfill of entries for notebooks written without them; listings read entries once it is done. */
  backfill(): IndexBackfill {
    return this.backfillOf('ENTRIES', 'entriesRev');
  }

  /** The backfill of title entries for notebooks written without them; searches read by title once it is done. */
  titlesBackfill(): IndexBackfill {
    return this.backfillOf('TITLES', 'titlesRev');
  }

  // A backfill that rewrites the entries of each live notebook whose `mark` is not its revision, then sets it.
  private backfillOf(progress: string, mark: 'entriesRev' | 'titlesRev'): IndexBackfill {
    return new IndexBackfill(this.doc, this.table, {
      progress,
      filter: {
        FilterExpression: 'attribute_not_exists(#mark) OR #mark <> #rev',
        ExpressionAttributeNames: { '#rev': 'rev', '#mark': mark },
      },
      attributes: ['id'],
      bring: async (item) => {
        const rev = await this.rewrite(item.id as string, false);
        return rev === undefined ? 0 : this.record(item.id as string, rev, mark);
      },
    });
  }

  /**
   * Writes a notebook's entries from its item as it is now, and tombstones the rest of what it has. Pending
   * entries are rewritten only by a repair (and only as it saw them); else they are their writer's to finish.
   * Returns the item's revision, undefined when there is no item.
   */
  private async rewrite(id: string, pendingToo: boolean): Promise<number | undefined> {
    const [got, existing] = await Promise.all([
      this.doc.send(
        new GetCommand({ TableName: this.table, Key: { PK: notebookPk(id), SK: 'META' }, ConsistentRead: true }),
      ),
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :e)',
          ExpressionAttributeValues: { ':pk': notebookPk(id), ':e': ENTRY_PREFIX },
          ProjectionExpression: 'SK, pending, pendingAt',
          ConsistentRead: true,
        }),
      ),
    ]);
    const seen = new Map<string, SeenPending>();
    const splits: string[] = [];
    for (const e of existing.Items ?? []) {
      const split = (e.SK as string).slice(ENTRY_PREFIX.length);
      splits.push(split);
      if (e.pending !== undefined && pendingToo) seen.set(split, { pending: e.pending, pendingAt: e.pendingAt });
    }
    const item = got.Item;
    const rev = Number(item?.rev ?? 0);
    await this.entries.write(id, item ? fromNotebookItem(item) : null, rev, splits, seen);
    return item ? rev : undefined;
  }

  private async record(id: string, rev: number, mark: 'entriesRev' | 'titlesRev'): Promise<number> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: notebookPk(id), SK: 'META' },
          UpdateExpression: 'SET #mark = :rev',
          ConditionExpression: '#rev = :rev',
          ExpressionAttributeNames: { '#rev': 'rev', '#mark': mark },
          ExpressionAttributeValues: { ':rev': rev },
        }),
      );
      return 1;
    } catch (err) {
      if (isConditionFailure(err)) return 0;
      throw err;
    }
  }
}
