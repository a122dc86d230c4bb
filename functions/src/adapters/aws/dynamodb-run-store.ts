import {
  DeleteCommand,
  GetCommand,
  paginateQuery,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, PayloadTooLargeError } from '../../domain/errors.ts';
import { runListingKey, type Run, type RunStatus } from '../../domain/run.ts';
import type { RunChanges, RunSource, RunStore } from '../../ports/run-store.ts';
import { isConditionFailure, isItemTooLarge } from './aws-errors.ts';

// gsi1: runs by owner · gsi2: by notebook · gsi3: by status (the status key moves with the run).
const SOURCES = {
  owner: {
    index: 'gsi1',
    pk: 'GSI1PK',
    sk: 'GSI1SK',
    value: (s: RunSource) => `RUNOWNER#${(s as { owner: string }).owner}`,
  },
  notebook: {
    index: 'gsi2',
    pk: 'GSI2PK',
    sk: 'GSI2SK',
    value: (s: RunSource) => `RUNNB#${(s as { notebookId: string }).notebookId}`,
  },
  status: {
    index: 'gsi3',
    pk: 'GSI3PK',
    sk: 'GSI3SK',
    value: (s: RunSource) => `RUNSTATUS#${(s as { status: string }).status}`,
  },
} as const;

// Parameter values are kept as JSON text: DynamoDB numbers refuse floats past 2^53 or below 1e-130,
// and every nesting level of a typed value would spend three of DynamoDB's 32.
const toItem = (run: Run) => {
  const lk = runListingKey(run);
  const { parameters, typedParameters, ...rest } = run;
  return {
    ...rest,
    parametersJson: JSON.stringify(parameters),
    typedParametersJson: JSON.stringify(typedParameters),
    PK: `RUN#${run.id}`,
    SK: 'META',
    entity: 'run',
    GSI1PK: `RUNOWNER#${run.owner}`,
    GSI1SK: lk,
    GSI2PK: `RUNNB#${run.notebookId}`,
    GSI2SK: lk,
    GSI3PK: `RUNSTATUS#${run.status}`,
    GSI3SK: lk,
  };
};

const fromItem = (item: Record<string, unknown>): Run => {
  const {
    PK: _a,
    SK: _b,
    entity: _c,
    GSI1PK: _d,
    GSI1SK: _e,
    GSI2PK: _f,
    GSI2SK: _g,
    GSI3PK: _h,
    GSI3SK: _i,
    parametersJson,
    typedParametersJson,
    ...run
  } = item;
  // Runs recorded before titles were kept have none: the notebook id stands in, as the portal showed before.
  const notebookTitle = typeof run.notebookTitle === 'string' ? run.notebookTitle : run.notebookId;
  // Runs recorded before outputs were capped were never cut.
  const outputTruncated = run.outputTruncated === true;
  // Runs recorded before roles were kept had none, and no run token.
  const [role, roleTeam, runTokenHash] = [run.role ?? null, run.roleTeam ?? null, run.runTokenHash ?? null];
  return {
    ...run,
    notebookTitle,
    outputTruncated,
    role,
    roleTeam,
    runTokenHash,
    parameters: JSON.parse(parametersJson as string),
    typedParameters: JSON.parse(typedParametersJson as string),
  } as unknown as Run;
};

/** Runs in the single table; a status change is one conditional update that also moves the run in the status index. */
export class DynamoDbRunStore implements RunStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async createRun(run: Run): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: toItem(run), ConditionExpression: 'attribute_not_exists(PK)' }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`run ${run.id} exists`);
      if (isItemTooLarge(err))
        throw new PayloadTooLargeError(
          "the run's parameters are over DynamoDB's 400 KB item limit; pass large inputs as a path or URL instead",
        );
      throw err;
    }
  }

  async getRun(id: string): Promise<Run | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { PK: `RUN#${id}`, SK: 'META' }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  async moveRun(id: string, from: RunStatus[], changes: RunChanges): Promise<Run | null> {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = Object.fromEntries(from.map((s, i) => [`:from${i}`, s]));
    const sets = entries.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    if (changes.status) {
      sets.push('GSI3PK = :statusKey');
      values[':statusKey'] = `RUNSTATUS#${changes.status}`;
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: `RUN#${id}`, SK: 'META' },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(PK) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? fromItem(out.Attributes) : null;
    } catch (err) {
      if (isConditionFailure(err)) return null;
      throw err;
    }
  }

  async listRuns(
    source: RunSource,
    page: { before?: string; limit: number },
  ): Promise<{ items: Run[]; next?: string }> {
    const s = SOURCES[source.kind];
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: s.index,
        KeyConditionExpression: page.before ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': s.pk, ...(page.before ? { '#sk': s.sk } : {}) },
        ExpressionAttributeValues: { ':pk': s.value(source), ...(page.before ? { ':before': page.before } : {}) },
        ScanIndexForward: false,
        Limit: page.limit,
      }),
    );
    const items = (out.Items ?? []).map(fromItem);
    const last = items.at(-1);
    return { items, next: out.LastEvaluatedKey && last ? runListingKey(last) : undefined };
  }

  async countRuns(status: RunStatus, since: string): Promise<number> {
    let count = 0;
    // A count Query still pages every 1 MB read; listing keys start with createdAt, so `>= since` is the window.
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        IndexName: 'gsi3',
        KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK >= :since',
        ExpressionAttributeValues: { ':pk': `RUNSTATUS#${status}`, ':since': since },
        Select: 'COUNT',
      },
    );
    for await (const out of pages) count += out.Count ?? 0;
    return count;
  }

  async claimIdempotencyKey(
    scope: string,
    key: string,
    runId: string,
    now: string,
    expiresAt: string,
  ): Promise<string> {
    const Key = { PK: `IDEM#${scope}#${key}`, SK: 'IDEM' };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...Key, runId, expiresAt, entity: 'idempotency' },
          // dynalite has no TTL, so an expired claim is simply overwritten.
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return runId;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    const held = await this.doc.send(new GetCommand({ TableName: this.table, Key, ConsistentRead: true }));
    return held.Item?.runId as string;
  }

  async releaseIdempotencyKey(scope: string, key: string, runId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { PK: `IDEM#${scope}#${key}`, SK: 'IDEM' },
          ConditionExpression: 'runId = :runId',
          ExpressionAttributeValues: { ':runId': runId },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}
