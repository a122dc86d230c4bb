import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { listingKey } from '../../domain/notebook.ts';
import type { IndexingStep } from '../../ports/notebook-store.ts';
import { isConditionFailure } from './aws-errors.ts';
import { notebookPk, ownerOnlyPk } from './notebook-items.ts';

// The backfill's progress: where the current pass stopped, what it indexed so far, and whether it is done.
const PROGRESS_KEY = { PK: 'LISTINGS', SK: 'AUDIENCES' };

interface Progress {
  done: boolean;
  resume?: Record<string, unknown>;
  /** Notebooks without an audience key this pass has met so far, whether its update or an edit gave them one. */
  foundInPass: number;
}

/**
 * Gives live notebooks written before private ones had an audience partition (gsi2 `AUD#OWNER#<owner>`) theirs,
 * a bounded batch per step, resuming where the last step stopped. A pass walks every live notebook (gsi4); the
 * first whole pass that meets none without one marks the backfill done (so at least one step after the one that
 * indexed the last), and from then on listings read the partition (until then, the owner index with a filter).
 * Idempotent: an item given its key by an edit meanwhile is left alone; two steps at once may repeat work.
 */
export class AudienceBackfill {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Has a whole pass found nothing left to index? */
  async isDone(): Promise<boolean> {
    return (await this.progress()).done;
  }

  /** Indexes up to `batch` notebooks' worth of the current pass. */
  async step(batch: number): Promise<IndexingStep> {
    const progress = await this.progress();
    if (progress.done) return { done: true, indexed: 0 };
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi4',
        KeyConditionExpression: 'GSI4PK = :all',
        FilterExpression: 'attribute_not_exists(GSI2PK)',
        ProjectionExpression: 'id, #owner, createdAt',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':all': 'NOTEBOOKS' },
        ExclusiveStartKey: progress.resume,
        Limit: batch,
      }),
    );
    const found = out.Items ?? [];
    let indexed = 0;
    for (const item of found) indexed += await this.index(item as IndexedFields);
    const inPass = progress.foundInPass + found.length;
    const next: Progress = out.LastEvaluatedKey
      ? { done: false, resume: out.LastEvaluatedKey, foundInPass: inPass }
      : { done: inPass === 0, foundInPass: 0 };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...PROGRESS_KEY, ...next } }));
    return { done: next.done, indexed };
  }

  private async progress(): Promise<Progress> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: PROGRESS_KEY, ConsistentRead: true }));
    const item = out.Item ?? {};
    return { done: item.done === true, resume: item.resume, foundInPass: Number(item.foundInPass ?? 0) };
  }

  private async index(nb: IndexedFields): Promise<number> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: notebookPk(nb.id), SK: 'META' },
          // No revision check: the index lags, and a raised latestVersion bumps rev without touching gsi2. Owner and
          // createdAt never change; an edit that changed visibility wrote its own gsi2 key, which the check sees.
          UpdateExpression: 'SET GSI2PK = :pk, GSI2SK = :sk',
          ConditionExpression: 'attribute_not_exists(GSI2PK) AND attribute_exists(GSI4PK)',
          ExpressionAttributeValues: { ':pk': ownerOnlyPk(nb.owner), ':sk': listingKey(nb) },
        }),
      );
      return 1;
    } catch (err) {
      if (isConditionFailure(err)) return 0;
      throw err;
    }
  }
}

type IndexedFields = { id: string; owner: string; createdAt: string };
