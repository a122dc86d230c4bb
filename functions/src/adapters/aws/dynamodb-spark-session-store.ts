import {
  GetCommand,
  paginateQuery,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.ts';
import type { SparkSession } from '../../domain/spark-session.ts';
import type { SparkSessionStop, SparkSessionStore } from '../../ports/spark-session-store.ts';
import { isConditionFailure } from './aws-errors.ts';

// An item per session, `SPARK#<id>` / `META`, every index sorted by `<createdAt>#<id>`:
// gsi1: a user's sessions (`SPARKOWNER#<owner>`) · gsi2: a server's (`SPARKSERVER#<serverId>`, every launch of the
// name, since the id is derived from owner and name) · gsi3: the ACTIVE ones (`SPARKACTIVE`; sparse: a stop removes
// the keys, so the culler reads only live sessions) · gsi4: every session (`SPARKS`, admins).
// The pod template is kept as JSON text: a Kubernetes object nests deep and may hold empty values.
const ACTIVE_PK = 'SPARKACTIVE';
const ALL_PK = 'SPARKS';
const ownerPk = (owner: string) => `SPARKOWNER#${owner}`;
const serverPk = (serverId: string) => `SPARKSERVER#${serverId}`;
const position = (s: Pick<SparkSession, 'createdAt' | 'id'>) => `${s.createdAt}#${s.id}`;
const KEYS = ['PK', 'SK', 'entity', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK', 'GSI4PK', 'GSI4SK'];

const toItem = (s: SparkSession) => {
  const { podTemplate, ...rest } = s;
  const at = position(s);
  return {
    ...rest,
    ...(podTemplate ? { podTemplate: JSON.stringify(podTemplate) } : {}),
    PK: `SPARK#${s.id}`,
    SK: 'META',
    entity: 'spark-session',
    GSI1PK: ownerPk(s.owner),
    GSI1SK: at,
    GSI2PK: serverPk(s.serverId),
    GSI2SK: at,
    ...(s.status === 'ACTIVE' ? { GSI3PK: ACTIVE_PK, GSI3SK: at } : {}),
    GSI4PK: ALL_PK,
    GSI4SK: at,
  };
};

const fromItem = (item: Record<string, unknown>): SparkSession => {
  const s = Object.fromEntries(Object.entries(item).filter(([k]) => !KEYS.includes(k))) as Record<string, unknown>;
  if (typeof s.podTemplate === 'string') s.podTemplate = JSON.parse(s.podTemplate);
  return s as unknown as SparkSession;
};

type Page = { after?: string; limit: number };

/** Spark session records in the single table: one conditional put each, a conditional update to stop. */
export class DynamoDbSparkSessionStore implements SparkSessionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putSession(session: SparkSession): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toItem(session),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`Spark session ${session.id} exists already`);
      throw err;
    }
  }

  async getSession(id: string): Promise<SparkSession | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { PK: `SPARK#${id}`, SK: 'META' }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  async listByServer(serverId: string): Promise<SparkSession[]> {
    return this.all('gsi2', 'GSI2PK', serverPk(serverId), false);
  }

  listByOwner(owner: string, page: Page) {
    return this.page('gsi1', 'GSI1PK', 'GSI1SK', ownerPk(owner), page);
  }

  listAll(page: Page) {
    return this.page('gsi4', 'GSI4PK', 'GSI4SK', ALL_PK, page);
  }

  async listActive(): Promise<SparkSession[]> {
    // The filter keeps the answer right even for a record written against the rule (ACTIVE keys on a stopped one).
    const items = await this.all('gsi3', 'GSI3PK', ACTIVE_PK, true);
    return items.filter((s) => s.status === 'ACTIVE');
  }

  async stopSession(id: string, stop: SparkSessionStop): Promise<SparkSession | null> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: `SPARK#${id}`, SK: 'META' },
          UpdateExpression:
            'SET #status = :stopped, stoppedAt = :at, stopReason = :reason, costSoFarUsd = :cost REMOVE GSI3PK, GSI3SK',
          ConditionExpression: 'attribute_exists(PK) AND #status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':stopped': 'STOPPED',
            ':active': 'ACTIVE',
            ':at': stop.stoppedAt,
            ':reason': stop.stopReason,
            ':cost': stop.costSoFarUsd,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? fromItem(out.Attributes) : null;
    } catch (err) {
      if (isConditionFailure(err)) return null;
      throw err;
    }
  }

  private async all(index: string, pk: string, value: string, oldestFirst: boolean): Promise<SparkSession[]> {
    const items: SparkSession[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        IndexName: index,
        KeyConditionExpression: `${pk} = :pk`,
        ExpressionAttributeValues: { ':pk': value },
        ScanIndexForward: oldestFirst,
      },
    );
    for await (const out of pages) items.push(...(out.Items ?? []).map(fromItem));
    return items;
  }

  // One Query, newest first; one item more than the page tells whether another page follows.
  private async page(index: string, pk: string, sk: string, value: string, page: Page) {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: index,
        KeyConditionExpression: page.after ? `${pk} = :pk AND ${sk} < :after` : `${pk} = :pk`,
        ExpressionAttributeValues: { ':pk': value, ...(page.after ? { ':after': page.after } : {}) },
        ScanIndexForward: false,
        Limit: page.limit + 1,
      }),
    );
    const items = (out.Items ?? []).slice(0, page.limit).map(fromItem);
    const more = (out.Items?.length ?? 0) > page.limit;
    return { items, next: more ? position(items.at(-1)!) : undefined };
  }
}
