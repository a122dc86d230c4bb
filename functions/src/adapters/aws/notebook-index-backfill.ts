import { paginateQuery, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { listingKey } from '../../domain/notebook.ts';
import { isConditionFailure } from './aws-errors.ts';
import { notebookPk, privatePk } from './notebook-items.ts';

/**
 * Gives live notebooks written before private ones had an audience partition (gsi2 `AUD#OWNER#…`) theirs, so
 * the default listing, which no longer reads the owner index, still finds them. Idempotent; an item edited
 * meanwhile is left to its edit (which writes every index key). Returns how many it indexed.
 */
export const indexPrivateNotebooks = async (doc: DynamoDBDocumentClient, table: string): Promise<number> => {
  let indexed = 0;
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      IndexName: 'gsi4',
      KeyConditionExpression: 'GSI4PK = :all',
      FilterExpression: 'attribute_not_exists(GSI2PK)',
      ProjectionExpression: 'id, #owner, createdAt, rev',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':all': 'NOTEBOOKS' },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const nb = item as { id: string; owner: string; createdAt: string; rev: number };
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { PK: notebookPk(nb.id), SK: 'META' },
            UpdateExpression: 'SET GSI2PK = :pk, GSI2SK = :sk',
            ConditionExpression: 'rev = :rev AND attribute_not_exists(GSI2PK) AND attribute_exists(GSI4PK)',
            ExpressionAttributeValues: { ':pk': privatePk(nb.owner), ':sk': listingKey(nb), ':rev': nb.rev },
          }),
        );
        indexed += 1;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }
  }
  return indexed;
};
