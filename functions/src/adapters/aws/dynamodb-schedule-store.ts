import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, PayloadTooLargeError } from '../../domain/errors.ts';
import type { Schedule, ScheduleFire } from '../../domain/schedule.ts';
import type { FireChanges, PageOf, ScheduleChanges, SchedulePage, ScheduleStore } from '../../ports/schedule-store.ts';
import { isConditionFailure, isItemTooLarge } from './aws-errors.ts';
import { queryAll, queryPage, type KeyRange } from './dynamodb-pages.ts';
import {
  ACTIVE_PK,
  ALL_PK,
  FIRE_PREFIX,
  fireUpdate,
  fromFireItem,
  fromScheduleItem,
  ownerPk,
  position,
  queuePk,
  schedulePk,
  scheduleUpdate,
  toFireItem,
  toScheduleItem,
  type UpdateParts,
} from './schedule-items.ts';

const TOO_LARGE = "the schedule's parameters are over DynamoDB's 400 KB item limit; pass large inputs as a path or URL";

const listing = (index: string, n: number, value: string): KeyRange<Schedule> => ({
  index,
  pk: `GSI${n}PK`,
  sk: `GSI${n}SK`,
  value,
  from: fromScheduleItem,
  position,
});

const fires = (scheduleId: string): KeyRange<ScheduleFire> => ({
  pk: 'PK',
  sk: 'SK',
  value: schedulePk(scheduleId),
  prefix: FIRE_PREFIX,
  from: fromFireItem,
  position: (f) => f.dueAt,
});

/** Schedules and their fires in the single table: conditional puts, revision-conditional updates, Queries only. */
export class DynamoDbScheduleStore implements ScheduleStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putSchedule(schedule: Schedule): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toScheduleItem(schedule),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`schedule ${schedule.id} exists already`);
      if (isItemTooLarge(err)) throw new PayloadTooLargeError(TOO_LARGE);
      throw err;
    }
  }

  async getSchedule(id: string): Promise<Schedule | null> {
    const item = await this.get(schedulePk(id), 'META');
    return item ? fromScheduleItem(item) : null;
  }

  async updateSchedule(id: string, revision: number, changes: ScheduleChanges): Promise<Schedule | null> {
    const item = await this.update(schedulePk(id), 'META', scheduleUpdate(id, revision, changes));
    return item ? fromScheduleItem(item) : null;
  }

  async deleteSchedule(id: string): Promise<void> {
    // Only the META item: the fires stay in the partition, for the runs they name.
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { PK: schedulePk(id), SK: 'META' } }));
  }

  listByOwner(owner: string, page: SchedulePage): Promise<PageOf<Schedule>> {
    return queryPage(this.doc, this.table, listing('gsi1', 1, ownerPk(owner)), page);
  }

  listAll(page: SchedulePage): Promise<PageOf<Schedule>> {
    return queryPage(this.doc, this.table, listing('gsi4', 4, ALL_PK), page);
  }

  async listActive(): Promise<Schedule[]> {
    // The filter keeps the answer right even for an item written against the rule (active keys on a paused one).
    const active = await queryAll(this.doc, this.table, listing('gsi3', 3, ACTIVE_PK));
    return active.filter((s) => !s.paused);
  }

  async claimFire(fire: ScheduleFire): Promise<{ fire: ScheduleFire; created: boolean }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toFireItem(fire),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return { fire, created: true };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    // A fire is never deleted, so the claim that won is there to read (strongly: it may be milliseconds old).
    const first = await this.getFire(fire.scheduleId, fire.dueAt);
    if (!first) throw new ConflictError(`the fire of ${fire.scheduleId} at ${fire.dueAt} was claimed, then vanished`);
    return { fire: first, created: false };
  }

  async getFire(scheduleId: string, dueAt: string): Promise<ScheduleFire | null> {
    const item = await this.get(schedulePk(scheduleId), `${FIRE_PREFIX}${dueAt}`);
    return item ? fromFireItem(item) : null;
  }

  async updateFire(
    scheduleId: string,
    dueAt: string,
    changes: FireChanges,
    onlyIf?: ScheduleFire['outcome'],
  ): Promise<ScheduleFire | null> {
    const parts = fireUpdate(scheduleId, dueAt, changes, onlyIf);
    const item = await this.update(schedulePk(scheduleId), `${FIRE_PREFIX}${dueAt}`, parts);
    return item ? fromFireItem(item) : null;
  }

  listFires(scheduleId: string, page: SchedulePage): Promise<PageOf<ScheduleFire>> {
    return queryPage(this.doc, this.table, fires(scheduleId), page);
  }

  async listQueuedFires(scheduleId: string): Promise<ScheduleFire[]> {
    const range: KeyRange<ScheduleFire> = {
      index: 'gsi2',
      pk: 'GSI2PK',
      sk: 'GSI2SK',
      value: queuePk(scheduleId),
      from: fromFireItem,
      position: (f) => f.dueAt,
    };
    // The index is eventually consistent: a fire that has just moved on may still be read; the filter drops it.
    return (await queryAll(this.doc, this.table, range)).filter((f) => f.outcome === 'queued');
  }

  private async get(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { PK: pk, SK: sk }, ConsistentRead: true }),
    );
    return out.Item;
  }

  // The item as now stored, or undefined when the condition failed (it is gone, or at another revision).
  private async update(pk: string, sk: string, parts: UpdateParts) {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: pk, SK: sk },
          ...parts,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes;
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      if (isItemTooLarge(err)) throw new PayloadTooLargeError(TOO_LARGE);
      throw err;
    }
  }
}
