import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, PayloadTooLargeError } from '../../domain/errors.ts';
import type { Notebook, NotebookVersion } from '../../domain/notebook.ts';
import type {
  IndexingStep,
  ListSource,
  NotebookChanges,
  NotebookStore,
  SourcePage,
  VersionPage,
} from '../../ports/notebook-store.ts';
import { isConditionFailure, isItemTooLarge } from './aws-errors.ts';
import { AudienceBackfill } from './dynamodb-audience-backfill.ts';
import { NotebookListings } from './dynamodb-notebook-listings.ts';
import { TagEntries } from './dynamodb-tag-entries.ts';
import {
  fromNotebookItem,
  fromVersionItem,
  notebookPk,
  toNotebookItem,
  toVersionItem,
  versionSk,
} from './notebook-items.ts';

// The one item whose counter moves on every write a listing can see (see listingStamp).
const STAMP_KEY = { PK: 'LISTINGS', SK: 'STAMP' };

// Concurrent edits of one notebook retry on a lost revision race; the bound only stops a runaway loop.
const MAX_EDIT_ATTEMPTS = 20;

/**
 * Notebooks in one DynamoDB table (see table-design.ts). dynalite has no transactions, so each
 * change is a sequence of single-item conditional writes ordered so that a reader never sees it
 * half-made: index entries are written before the metadata item that makes them true, and removed after.
 */
export class DynamoDbNotebookStore implements NotebookStore {
  private readonly tags: TagEntries;
  private readonly listings: NotebookListings;
  private readonly backfill: AudienceBackfill;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    this.tags = new TagEntries(doc, table);
    this.backfill = new AudienceBackfill(doc, table);
    this.listings = new NotebookListings(doc, table, this.tags, this.backfill);
  }

  async createNotebook(notebook: Notebook): Promise<void> {
    await this.tags.put(notebook, notebook.tags, 1);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toNotebookItem(notebook, 1),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`notebook ${notebook.id} exists`);
      throw err;
    }
    await this.moveStamp();
  }

  async getNotebook(id: string): Promise<Notebook | null> {
    const [item, highest] = await Promise.all([this.readItem(id), this.highestVersion(id)]);
    if (!item) return null;
    const notebook = fromNotebookItem(item);
    return highest > notebook.latestVersion ? this.catchUp(notebook, highest) : notebook;
  }

  /**
   * A commit's version item is its commit point; raising latestVersion is its second write. When a
   * commit failed or crashed between the two, the notebook follows its versions anyway, and the item
   * is repaired (best effort: a reader without write access still answers right) so listings catch up.
   */
  private async catchUp(notebook: Notebook, highest: number): Promise<Notebook> {
    const top = await this.getVersion(notebook.id, highest);
    const updatedAt = top && top.createdAt > notebook.updatedAt ? top.createdAt : notebook.updatedAt;
    await this.advanceLatestVersion(notebook.id, highest, updatedAt).catch(() => undefined);
    return { ...notebook, latestVersion: highest, updatedAt };
  }

  async updateNotebook(id: string, changes: NotebookChanges): Promise<Notebook> {
    return this.edit(id, (current) => {
      if (current.archived) throw new NotFoundError(`notebook ${id} not found`);
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      return { ...current, ...defined };
    });
  }

  async archiveNotebook(id: string, at: string): Promise<Notebook> {
    return this.edit(id, (current) =>
      current.archived ? null : { ...current, archived: true, archivedAt: at, updatedAt: at },
    );
  }

  async listSource(source: ListSource, page: { before?: string; limit: number }): Promise<SourcePage> {
    return this.listings.page(source, page);
  }

  async advanceIndexing(batch: number): Promise<IndexingStep> {
    return this.backfill.step(batch);
  }

  async putVersion(version: NotebookVersion): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toVersionItem(version),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err))
        throw new ConflictError(`version ${version.version} of ${version.notebookId} exists`, 'version_taken');
      if (isItemTooLarge(err))
        throw new PayloadTooLargeError(
          "what this version records (its inferred parameters) is over DynamoDB's 400 KB item limit; " +
            'shorten the parameters cell',
        );
      throw err;
    }
  }

  async advanceLatestVersion(id: string, version: number, updatedAt: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: notebookPk(id), SK: 'META' },
          // Bumping rev makes a concurrent edit() retry instead of writing the old latestVersion back.
          UpdateExpression: 'SET latestVersion = :v, updatedAt = :u, rev = rev + :one',
          ConditionExpression: 'attribute_exists(PK) AND latestVersion < :v',
          ExpressionAttributeValues: { ':v': version, ':u': updatedAt, ':one': 1 },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) return;
      throw err;
    }
    await this.moveStamp();
  }

  async highestVersion(id: string): Promise<number> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :v)',
        ExpressionAttributeValues: { ':pk': notebookPk(id), ':v': 'V#' },
        ProjectionExpression: '#v',
        ExpressionAttributeNames: { '#v': 'version' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return Number(out.Items?.[0]?.version ?? 0);
  }

  async getVersion(id: string, version: number): Promise<NotebookVersion | null> {
    // Consistent, like highestVersion: "latest" must never 404 right after a commit.
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { PK: notebookPk(id), SK: versionSk(version) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? fromVersionItem(out.Item) : null;
  }

  async listVersions(id: string, page: { after?: number; limit: number }): Promise<VersionPage> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': notebookPk(id), ':from': versionSk((page.after ?? 0) + 1), ':to': 'V#~' },
        Limit: page.limit,
      }),
    );
    const items = (out.Items ?? []).map(fromVersionItem);
    return { items, next: out.LastEvaluatedKey ? items.at(-1)?.version : undefined };
  }

  async listingStamp(): Promise<string> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: STAMP_KEY,
        ConsistentRead: true,
        ProjectionExpression: '#n',
        ExpressionAttributeNames: { '#n': 'writes' },
      }),
    );
    return String(out.Item?.writes ?? 0);
  }

  /**
   * Moved after the write it follows has finished, so a page read before the move is cached under the old stamp
   * and dropped; a crash between the two leaves the old stamp, which the cache's age limit bounds.
   */
  private async moveStamp(): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: STAMP_KEY,
        UpdateExpression: 'ADD #n :one',
        ExpressionAttributeNames: { '#n': 'writes' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  private async readItem(id: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { PK: notebookPk(id), SK: 'META' }, ConsistentRead: true }),
    );
    return out.Item;
  }

  /**
   * Read-modify-write guarded by the item's revision: new tag entries first, then the item,
   * then removal of entries for tags it no longer has (only those no newer edit rewrote).
   */
  private async edit(id: string, change: (current: Notebook) => Notebook | null): Promise<Notebook> {
    for (let attempt = 0; attempt < MAX_EDIT_ATTEMPTS; attempt += 1) {
      const item = await this.readItem(id);
      if (!item) throw new NotFoundError(`notebook ${id} not found`);
      const current = fromNotebookItem(item);
      const next = change(current);
      if (!next) return current;
      const rev = Number(item.rev ?? 0) + 1;
      const live = next.archived ? [] : next.tags;
      await this.tags.put(
        next,
        live.filter((t) => !current.tags.includes(t) || current.archived),
        rev,
      );
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: toNotebookItem(next, rev),
            ConditionExpression: 'rev = :rev',
            ExpressionAttributeValues: { ':rev': rev - 1 },
          }),
        );
      } catch (err) {
        if (isConditionFailure(err)) continue;
        throw err;
      }
      // The item is committed: the stamp moves even when dropping the old tags' entries fails.
      try {
        await this.tags.drop(
          next,
          current.tags.filter((t) => !live.includes(t)),
          rev,
        );
      } finally {
        await this.moveStamp();
      }
      return next;
    }
    throw new ConflictError(`notebook ${id} is being edited by many requests at once; try again`, 'edit_contended');
  }
}
