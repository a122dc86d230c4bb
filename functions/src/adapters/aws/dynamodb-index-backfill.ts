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

interface Progress {
  done: boolean;
  resume?: Record<string, unknown>;
  /** Candidates this pass has met so far, whether the backfill or an edit brought them up to date. */
  foundInPass: number;
}

/** What one backfill brings up to date: which live notebooks are behind, and how to bring one up. */
export interface BackfillSpec {
  /** Its progress item's sort key, under `LISTINGS`. */
  progress: string;
  /** Picks the notebooks still behind; names and values beside it are the spec's own. */
  filter: { FilterExpression: string; ExpressionAttributeNames?: Record<string, string> };
  /** Attributes `bring` reads. */
  attributes: string[];
  /** Brings one notebook up to date; 1 if it did, 0 if something else had. */
  bring(item: Record<string, unknown>): Promise<number>;
}

/**
 * Brings live notebooks written before a layout change up to date, a bounded batch per step, resuming where the
 * last step stopped. A pass walks every live notebook (gsi4); the first whole pass that meets none behind marks the
 * backfill done (so at least one step after the one that brought the last, by when no Lambda of the release before
 * is left to write one the old way), and from then on listings read the new layout. Idempotent: a notebook an edit
 * brought up meanwhile is left alone; two steps at once may repeat work.
 */
export class IndexBackfill {
  // A backfill once done stays done, so a process reads that it is only until it is.
  private done = false;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly spec: BackfillSpec,
  ) {}

  /** Has a whole pass found nothing left to bring up to date? Read until the answer is yes, then remembered. */
  async isDone(): Promise<boolean> {
    if (!this.done) this.done = (await this.progress()).done;
    return this.done;
  }

  /** Brings up to `batch` notebooks' worth of the current pass up to date. */
  async step(batch: number): Promise<IndexingStep> {
    const progress = await this.progress();
    if (progress.done) return { done: true, indexed: 0 };
    const names = Object.fromEntries(this.spec.attributes.map((a, i) => [`#a${i}`, a]));
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi4',
        KeyConditionExpression: 'GSI4PK = :all',
        FilterExpression: this.spec.filter.FilterExpression,
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: { ...names, ...this.spec.filter.ExpressionAttributeNames },
        ExpressionAttributeValues: { ':all': 'NOTEBOOKS' },
        ExclusiveStartKey: progress.resume,
        Limit: batch,
      }),
    );
    const found = out.Items ?? [];
    let indexed = 0;
    for (const item of found) indexed += await this.spec.bring(item);
    const inPass = progress.foundInPass + found.length;
    const next: Progress = out.LastEvaluatedKey
      ? { done: false, resume: out.LastEvaluatedKey, foundInPass: inPass }
      : { done: inPass === 0, foundInPass: 0 };
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { PK: 'LISTINGS', SK: this.spec.progress, ...next } }),
    );
    return { done: next.done, indexed };
  }

  private async progress(): Promise<Progress> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { PK: 'LISTINGS', SK: this.spec.progress }, ConsistentRead: true }),
    );
    const item = out.Item ?? {};
    return { done: item.done === true, resume: item.resume, foundInPass: Number(item.foundInPass ?? 0) };
  }
}

/**
 * Gives live notebooks written before private ones had an audience partition (gsi2 `AUD#OWNER#<owner>`) theirs;
 * until it is done, listings read what only an owner may see from the owner index with a filter.
 */
export const audienceBackfill = (doc: DynamoDBDocumentClient, table: string): IndexBackfill =>
  new IndexBackfill(doc, table, {
    progress: 'AUDIENCES',
    filter: { FilterExpression: 'attribute_not_exists(GSI2PK)' },
    attributes: ['id', 'owner', 'createdAt'],
    bring: async (item) => {
      const nb = item as { id: string; owner: string; createdAt: string };
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { PK: notebookPk(nb.id), SK: 'META' },
            // No revision check: the index lags, and a raised latestVersion bumps rev without touching gsi2. Owner
            // and createdAt never change; an edit that changed visibility wrote its own gsi2 key, which this sees.
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
    },
  });
