import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, PayloadTooLargeError } from '../../domain/errors.ts';
import type { Notebook, NotebookVersion } from '../../domain/notebook.ts';
import type {
  IndexingStep,
  ListSource,
  NotebookChanges,
  NotebookStore,
  SourcePage,
  SourcePageRequest,
  VersionPage,
} from '../../ports/notebook-store.ts';
import { isConditionFailure, isItemTooLarge } from './aws-errors.ts';
import { ListingEntriesUpkeep } from './dynamodb-entries-upkeep.ts';
import { audienceBackfill } from './dynamodb-index-backfill.ts';
import { ListingEntries } from './dynamodb-listing-entries.ts';
import { ListingStamp } from './dynamodb-listing-stamp.ts';
import { type ListingLayout, NotebookListings } from './dynamodb-notebook-listings.ts';
import { TagEntries } from './dynamodb-tag-entries.ts';
import {
  fromNotebookItem,
  fromVersionItem,
  notebookPk,
  toNotebookItem,
  toVersionItem,
  versionSk,
} from './notebook-items.ts';

// Concurrent edits of one notebook retry on a lost revision race; the bound only stops a runaway loop.
const MAX_EDIT_ATTEMPTS = 20;
// How long a write may hold its entries pending before a repair takes it for dead: past any Lambda's timeout.
const DEFAULT_REPAIR_AFTER_MS = 20 * 60_000;
// Pending marks a repair step rewrites at most.
const REPAIR_BATCH = 100;

/** How the store's upkeep behaves. */
export interface NotebookStoreOptions {
  /** Age after which a pending listing entry is taken as its writer's death and rewritten (0 at local start). */
  repairAfterMs?: number;
}

/**
 * Notebooks in one DynamoDB table (see table-design.ts). dynalite has no transactions, so each
 * change is a sequence of single-item conditional writes ordered so that a reader never sees it
 * half-made: listing entries are marked pending before the metadata item that decides is written, and written
 * after it (see ListingEntries).
 */
export class DynamoDbNotebookStore implements NotebookStore {
  private readonly layout: ListingLayout;
  private readonly listings: NotebookListings;
  private readonly upkeep: ListingEntriesUpkeep;
  private readonly repairAfterMs: number;
  private readonly stamp: ListingStamp;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    options: NotebookStoreOptions = {},
  ) {
    const entries = new ListingEntries(doc, table);
    this.upkeep = new ListingEntriesUpkeep(doc, table, entries);
    this.layout = {
      tags: new TagEntries(doc, table),
      entries,
      audiences: audienceBackfill(doc, table),
      entriesBackfill: this.upkeep.backfill(),
      titlesBackfill: this.upkeep.titlesBackfill(),
    };
    this.listings = new NotebookListings(doc, table, this.layout);
    this.repairAfterMs = options.repairAfterMs ?? DEFAULT_REPAIR_AFTER_MS;
    this.stamp = new ListingStamp(doc, table);
  }

  async createNotebook(notebook: Notebook): Promise<void> {
    const hints = await this.writesTagHints();
    await Promise.all([
      this.layout.entries.mark([notebook], 1, new Date().toISOString()),
      hints ? this.layout.tags.put(notebook, notebook.tags, 1) : undefined,
    ]);
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
    try {
      await this.layout.entries.write(notebook.id, notebook, 1, []);
    } finally {
      await this.stamp.move();
    }
  }

  // The tag hints of the layout before listing entries, kept until the entries' backfill is done.
  private async writesTagHints(): Promise<boolean> {
    return !(await this.layout.entriesBackfill.isDone());
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

  async listSource(source: ListSource, page: SourcePageRequest): Promise<SourcePage> {
    return this.listings.page(source, page);
  }

  async listsByAudience(): Promise<boolean> {
    return this.layout.entriesBackfill.isDone();
  }

  async indexesTitles(): Promise<boolean> {
    return this.layout.titlesBackfill.isDone();
  }

  /** One step of each backfill, and a repair of listing entries that writers which died left pending. */
  async advanceIndexing(batch: number): Promise<IndexingStep> {
    const olderThan = new Date(Date.now() - this.repairAfterMs).toISOString();
    const audiences = await this.layout.audiences.step(batch);
    const entries = await this.layout.entriesBackfill.step(batch);
    const titles = await this.layout.titlesBackfill.step(batch);
    const repaired = await this.upkeep.repair(olderThan, REPAIR_BATCH);
    return {
      done: audiences.done && entries.done && titles.done,
      indexed: audiences.indexed + entries.indexed + titles.indexed + repaired,
    };
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
      // An edit like any other, so the notebook's listing entries follow the version too.
      await this.edit(id, (current) =>
        current.latestVersion >= version ? null : { ...current, latestVersion: version, updatedAt },
      );
    } catch (err) {
      // Many edits at once may outlast the attempts: the version is written, and the next read raises it.
      if (!(err instanceof NotFoundError) && !(err instanceof ConflictError)) throw err;
    }
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
    return this.stamp.read();
  }

  private async readItem(id: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { PK: notebookPk(id), SK: 'META' }, ConsistentRead: true }),
    );
    return out.Item;
  }

  /**
   * Read-modify-write guarded by the item's revision: the listing entries of the notebook as it was and will be
   * are marked pending first, then the item is written, then the entries are written for it (tombstones for
   * partitions it left, whatever an attempt touched).
   */
  private async edit(id: string, change: (current: Notebook) => Notebook | null): Promise<Notebook> {
    const touched: string[] = [];
    for (let attempt = 0; attempt < MAX_EDIT_ATTEMPTS; attempt += 1) {
      const item = await this.readItem(id);
      if (!item) throw new NotFoundError(`notebook ${id} not found`);
      const current = fromNotebookItem(item);
      const next = await this.changed(current, Number(item.rev ?? 0), change, touched);
      if (!next) return current;
      const done = await this.commit(current, next, Number(item.rev ?? 0) + 1, touched);
      if (done) return next;
    }
    throw new ConflictError(`notebook ${id} is being edited by many requests at once; try again`, 'edit_contended');
  }

  // The change to make, or null for none. An attempt that lost a race marked entries: when the edit ends without
  // writing, they are written for the notebook as the winner left it.
  private async changed(
    current: Notebook,
    rev: number,
    change: (current: Notebook) => Notebook | null,
    touched: string[],
  ): Promise<Notebook | null> {
    const settle = async () => {
      if (touched.length) await this.layout.entries.write(current.id, current, rev, touched);
    };
    try {
      const next = change(current);
      if (!next) await settle();
      return next;
    } catch (err) {
      await settle();
      throw err;
    }
  }

  // One attempt at writing `next` as revision `rev`; false when another edit wrote first.
  private async commit(current: Notebook, next: Notebook, rev: number, touched: string[]): Promise<boolean> {
    touched.push(...this.layout.entries.touched([current, next]));
    const hints = await this.writesTagHints();
    const live = next.archived ? [] : next.tags;
    const added = live.filter((t) => !current.tags.includes(t) || current.archived);
    await Promise.all([
      this.layout.entries.mark([current, next], rev, new Date().toISOString()),
      hints ? this.layout.tags.put(next, added, rev) : undefined,
    ]);
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
      if (isConditionFailure(err)) return false;
      throw err;
    }
    // The item is committed: the stamp moves even when writing the entries fails (they stay pending, so right).
    try {
      await this.layout.entries.write(next.id, next, rev, touched);
      if (hints)
        await this.layout.tags.drop(
          next,
          current.tags.filter((t) => !live.includes(t)),
          rev,
        );
    } finally {
      await this.stamp.move();
    }
    return true;
  }
}
