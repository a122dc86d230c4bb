import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// The one item whose counter moves on every write a listing can see.
const STAMP_KEY = { PK: 'LISTINGS', SK: 'STAMP' };

/** The listing stamp (`LISTINGS` / `STAMP`): a counter a cached listing page is checked against. */
export class ListingStamp {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The counter, read consistently. */
  async read(): Promise<string> {
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
  async move(): Promise<void> {
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
}
