import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.ts';
import type { SparkSession } from '../../domain/spark-session.ts';
import type { SparkSessionPage as Page, SparkSessionStop, SparkSessionStore } from '../../ports/spark-session-store.ts';
import { isConditionFailure } from './aws-errors.ts';
import { queryAll, queryPage, type KeyRange } from './dynamodb-pages.ts';

// An item per session, `SPARK#<id>` / `META`, its position `<createdAt>#<id>` sorting each index:
// gsi1: a user's sessions (`SPARKOWNER#<owner>`) · gsi2: a server's (`SPARKSERVER#<serverId>`, every launch of the
// name, since the id is derived from owner and name) · gsi3: the ACTIVE ones (`SPARKACTIVE`, sorted by
// `<serverId>#<position>` so one server's active sessions are a key range; sparse: a stop removes the keys, so the
// culler and a server's ACTIVE list read only live sessions) · gsi4: every session (`SPARKS`, admins).
// The pod template is kept as JSON text: a Kubernetes object nests deep and may hold empty values.
const ACTIVE_PK = 'SPARKACTIVE';
const ALL_PK = 'SPARKS';
const ownerPk = (owner: string) => `SPARKOWNER#${owner}`;
const serverPk = (serverId: string) => `SPARKSERVER#${serverId}`;
// Server ids are slugs (no `#`), so `<serverId>#` never prefixes another server's keys.
const activeOf = (serverId: string) => `${serverId}#`;
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
    ...(s.status === 'ACTIVE' ? { GSI3PK: ACTIVE_PK, GSI3SK: `${activeOf(s.serverId)}${at}` } : {}),
    GSI4PK: ALL_PK,
    GSI4SK: at,
  };
};

const fromItem = (item: Record<string, unknown>): SparkSession => {
  const s = Object.fromEntries(Object.entries(item).filter(([k]) => !KEYS.includes(k))) as Record<string, unknown>;
  if (typeof s.podTemplate === 'string') s.podTemplate = JSON.parse(s.podTemplate);
  return s as unknown as SparkSession;
};

// One index's partition of sessions, newest first by `<createdAt>#<id>` (after the prefix, on the active index).
const sessions = (index: string, value: string, prefix?: string): KeyRange<SparkSession> => ({
  index,
  pk: `${index.toUpperCase()}PK`,
  sk: `${index.toUpperCase()}SK`,
  value,
  prefix,
  from: fromItem,
  position,
});

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

  listByServer(serverId: string, page: Page) {
    return queryPage(this.doc, this.table, sessions('gsi2', serverPk(serverId)), page);
  }

  listActiveByServer(serverId: string, page: Page) {
    return queryPage(this.doc, this.table, sessions('gsi3', ACTIVE_PK, activeOf(serverId)), page);
  }

  listByOwner(owner: string, page: Page) {
    return queryPage(this.doc, this.table, sessions('gsi1', ownerPk(owner)), page);
  }

  listAll(page: Page) {
    return queryPage(this.doc, this.table, sessions('gsi4', ALL_PK), page);
  }

  async listActive(): Promise<SparkSession[]> {
    // The index sorts by server first: the culler's oldest-first order is made here, over what it reads anyway.
    // The filter keeps the answer right even for a record written against the rule (ACTIVE keys on a stopped one).
    const items = await queryAll(this.doc, this.table, sessions('gsi3', ACTIVE_PK));
    return items.filter((s) => s.status === 'ACTIVE').sort((a, b) => (position(a) < position(b) ? -1 : 1));
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
}
