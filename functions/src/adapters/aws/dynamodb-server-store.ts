import {
  DeleteCommand,
  GetCommand,
  paginateQuery,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.ts';
import type { Server, ServerStatus } from '../../domain/server.ts';
import type {
  CullRecord,
  ServerChanges,
  ServerExpectation,
  ServerSlot,
  ServerStore,
} from '../../ports/server-store.ts';
import { isConditionFailure } from './aws-errors.ts';

// gsi1: a user's servers by name · gsi2: active (PENDING, RUNNING, STOPPING) servers by when the culler must
// look (sparse: only items with a cullCheckAt carry GSI2 keys, and ended servers have none) · gsi3: the cull log,
// newest first.
const CULL_PK = 'SRVCULL';
const CULLS_PK = 'CULLS';
const cullSk = (at: string, id: string) => `${at}#${id}`;
const KEYS = ['PK', 'SK', 'entity', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK'];

const toItem = (s: Server) => ({
  ...s,
  PK: `SERVER#${s.id}`,
  SK: 'META',
  entity: 'server',
  GSI1PK: `SRVOWNER#${s.owner}`,
  GSI1SK: s.name,
  ...(s.cullCheckAt ? { GSI2PK: CULL_PK, GSI2SK: cullSk(s.cullCheckAt, s.id) } : {}),
});

const strip = <T>(item: Record<string, unknown>): T =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !KEYS.includes(k))) as T;

// Builds SET/REMOVE clauses; the cull index keys follow cullCheckAt so the index never disagrees with the record.
const updateClauses = (id: string, changes: ServerChanges) => {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(changes).forEach(([k, v], i) => {
    if (v === undefined) return;
    names[`#f${i}`] = k;
    if (v === null) removes.push(`#f${i}`);
    else {
      sets.push(`#f${i} = :v${i}`);
      values[`:v${i}`] = v;
    }
  });
  if (changes.cullCheckAt === null) removes.push('GSI2PK', 'GSI2SK');
  if (typeof changes.cullCheckAt === 'string') {
    sets.push('GSI2PK = :cullPk', 'GSI2SK = :cullSk');
    Object.assign(values, { ':cullPk': CULL_PK, ':cullSk': cullSk(changes.cullCheckAt, id) });
  }
  return {
    names,
    values,
    expression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
      .join(' ')
      .trim(),
  };
};

/** Servers, slots and the cull log in the single table; every state change is one conditional write. */
export class DynamoDbServerStore implements ServerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putServer(server: Server): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toItem(server),
          ConditionExpression: 'attribute_not_exists(PK) OR #status IN (:stopped, :failed)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':stopped': 'STOPPED', ':failed': 'FAILED' },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err))
        throw new ConflictError(`server ${server.name} is already running or starting; stop it first`);
      throw err;
    }
  }

  async getServer(id: string): Promise<Server | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { PK: `SERVER#${id}`, SK: 'META' }, ConsistentRead: true }),
    );
    return out.Item ? strip<Server>(out.Item) : null;
  }

  async listServers(owner: string): Promise<Server[]> {
    const items: Server[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': `SRVOWNER#${owner}` },
      },
    );
    for await (const out of pages) items.push(...(out.Items ?? []).map((i) => strip<Server>(i)));
    return items;
  }

  async moveServer(
    id: string,
    from: readonly ServerStatus[],
    changes: ServerChanges,
    expect: ServerExpectation = {},
  ): Promise<Server | null> {
    const { names, values, expression } = updateClauses(id, changes);
    names['#status'] = 'status';
    for (const [i, s] of from.entries()) values[`:from${i}`] = s;
    const conditions = ['attribute_exists(PK)', `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`];
    for (const [k, v] of Object.entries(expect)) {
      if (v === undefined) continue;
      names[`#e_${k}`] = k;
      values[`:e_${k}`] = v;
      conditions.push(`#e_${k} = :e_${k}`);
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: `SERVER#${id}`, SK: 'META' },
          UpdateExpression: expression,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? strip<Server>(out.Attributes) : null;
    } catch (err) {
      if (isConditionFailure(err)) return null;
      throw err;
    }
  }

  async deleteServer(id: string, from: readonly ServerStatus[], launchId: string): Promise<boolean> {
    const values: Record<string, unknown> = { ':launch': launchId };
    for (const [i, s] of from.entries()) values[`:from${i}`] = s;
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { PK: `SERVER#${id}`, SK: 'META' },
          ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')}) AND launchId = :launch`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async listCullCandidates(due: string, page: { after?: string; limit: number }) {
    // `~` sorts after every id character, so the bound takes every server due at exactly `due`.
    const bound = `${due}#~`;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi2',
        KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :bound',
        ExpressionAttributeValues: { ':pk': CULL_PK, ':bound': bound },
        Limit: page.limit,
        ExclusiveStartKey: page.after
          ? {
              GSI2PK: CULL_PK,
              GSI2SK: page.after,
              PK: `SERVER#${page.after.slice(page.after.indexOf('#') + 1)}`,
              SK: 'META',
            }
          : undefined,
      }),
    );
    const items = (out.Items ?? []).map((i) => strip<Server>(i));
    const last = out.Items?.at(-1);
    return {
      items,
      next: out.LastEvaluatedKey && last ? (last.GSI2SK as string) : undefined,
      itemsRead: out.ScannedCount ?? items.length,
    };
  }

  async listActiveServers(): Promise<Server[]> {
    const items: Server[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        IndexName: 'gsi2',
        KeyConditionExpression: 'GSI2PK = :pk',
        // The index holds only active servers; the filter keeps that true even for a record written against the rule.
        FilterExpression: '#status IN (:pending, :running, :stopping)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pk': CULL_PK,
          ':pending': 'PENDING',
          ':running': 'RUNNING',
          ':stopping': 'STOPPING',
        },
      },
    );
    for await (const out of pages) items.push(...(out.Items ?? []).map((i) => strip<Server>(i)));
    return items;
  }

  async listSlots(owner: string): Promise<ServerSlot[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `SRVSLOTS#${owner}` },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map((i) => ({
      slot: Number(i.slot),
      holder: i.holder as string,
      takenAt: i.takenAt as string,
    }));
  }

  async takeSlot(owner: string, slot: number, holder: string, takenAt: string, replacing?: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { PK: `SRVSLOTS#${owner}`, SK: `SLOT#${slot}`, entity: 'server-slot', slot, holder, takenAt },
          ConditionExpression: replacing
            ? 'attribute_not_exists(PK) OR holder = :replacing'
            : 'attribute_not_exists(PK)',
          ExpressionAttributeValues: replacing ? { ':replacing': replacing } : undefined,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async releaseSlot(owner: string, slot: number, holder: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { PK: `SRVSLOTS#${owner}`, SK: `SLOT#${slot}` },
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async recordCull(cull: CullRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...cull,
          PK: `CULL#${cull.id}`,
          SK: 'META',
          entity: 'cull',
          GSI3PK: CULLS_PK,
          GSI3SK: cullSk(cull.at, cull.id),
        },
      }),
    );
  }

  async listCulls(page: { before?: string; limit: number }) {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi3',
        KeyConditionExpression: page.before ? 'GSI3PK = :pk AND GSI3SK < :before' : 'GSI3PK = :pk',
        ExpressionAttributeValues: { ':pk': CULLS_PK, ...(page.before ? { ':before': page.before } : {}) },
        ScanIndexForward: false,
        Limit: page.limit,
      }),
    );
    const items = (out.Items ?? []).map((i) => strip<CullRecord>(i));
    const last = out.Items?.at(-1);
    return { items, next: out.LastEvaluatedKey && last ? (last.GSI3SK as string) : undefined };
  }
}
