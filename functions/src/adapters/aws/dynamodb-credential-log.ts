import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.ts';
import type { CredentialIssue } from '../../domain/credentials.ts';
import type { CredentialLog, CredentialLogPage, CredentialLogQuery } from '../../ports/credential-log.ts';
import { isConditionFailure } from './aws-errors.ts';

// An item per issue, `CREDISSUE#<id>` / `META`. gsi1: a user's issues (`CREDUSER#<user>`) · gsi3: every issue
// (`CREDISSUES`); both sorted by `<issuedAt>#<id>`, read newest first.
const ALL_PK = 'CREDISSUES';
const userPk = (user: string) => `CREDUSER#${user}`;
const position = (i: CredentialIssue) => `${i.issuedAt}#${i.id}`;

// The record's own fields, read back by name: whatever else an item holds (keys, attributes added later) stays out.
const FIELDS: readonly (keyof CredentialIssue)[] = [
  'id',
  'issuedAt',
  'user',
  'team',
  'role',
  'roleArn',
  'account',
  'purpose',
  'serverId',
  'runId',
  'sourceIdentity',
  'expiration',
  'durationSeconds',
];

const fromItem = (item: Record<string, unknown>): CredentialIssue =>
  Object.fromEntries(FIELDS.map((f) => [f, item[f] ?? null])) as unknown as CredentialIssue;

/** The credential log in the single table: one conditional put per issue, two indexes to read it newest first. */
export class DynamoDbCredentialLog implements CredentialLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(issue: CredentialIssue): Promise<void> {
    const item = Object.fromEntries(FIELDS.map((f) => [f, issue[f]]));
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...item,
            PK: `CREDISSUE#${issue.id}`,
            SK: 'META',
            entity: 'credential-issue',
            GSI1PK: userPk(issue.user),
            GSI1SK: position(issue),
            GSI3PK: ALL_PK,
            GSI3SK: position(issue),
          },
          // An audit record is never overwritten, not even by an id that came twice.
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`credential issue ${issue.id} is already recorded`);
      throw err;
    }
  }

  listForUser(user: string, page: CredentialLogQuery): Promise<CredentialLogPage> {
    return this.query('gsi1', 'GSI1PK', 'GSI1SK', userPk(user), page);
  }

  listAll(page: CredentialLogQuery): Promise<CredentialLogPage> {
    return this.query('gsi3', 'GSI3PK', 'GSI3SK', ALL_PK, page);
  }

  // One Query, newest first; one item more than the page tells whether another page follows.
  private async query(
    index: string,
    pk: string,
    sk: string,
    value: string,
    page: CredentialLogQuery,
  ): Promise<CredentialLogPage> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: index,
        KeyConditionExpression: page.before ? `${pk} = :pk AND ${sk} < :before` : `${pk} = :pk`,
        ExpressionAttributeValues: { ':pk': value, ...(page.before ? { ':before': page.before } : {}) },
        ScanIndexForward: false,
        Limit: page.limit + 1,
      }),
    );
    const items = (out.Items ?? []).slice(0, page.limit).map(fromItem);
    const more = (out.Items?.length ?? 0) > page.limit;
    return { items, next: more ? position(items.at(-1)!) : undefined };
  }
}
