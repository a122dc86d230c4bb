import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE_DESIGN } from '../../contracts/table-design.ts';
import { EMULATOR_CREDENTIALS } from './emulator-credentials.ts';

const isActive = async (client: DynamoDBClient, table: string): Promise<boolean> => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  return (
    Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE')
  );
};

/** Waits until the table and every index are ACTIVE: a new table answers ResourceNotFound for a while. */
const untilActive = async (client: DynamoDBClient, table: string): Promise<void> => {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (await isActive(client, table).catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${table} did not become ACTIVE within 30 s`);
};

/** Creates the table and its indexes if missing, and returns once it is usable (local mode; CDK makes the cloud's). */
export const ensureTable = async (client: DynamoDBClient, table: string): Promise<void> => {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return untilActive(client, table);
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  const keyNames = [
    TABLE_DESIGN.partitionKey,
    TABLE_DESIGN.sortKey,
    ...TABLE_DESIGN.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: TABLE_DESIGN.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_DESIGN.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_DESIGN.indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  await untilActive(client, table);
};

/** A DynamoDB client for an emulator (dynalite), signed with the emulators' one account. */
export const makeEmulatorDynamoClient = (region: string, endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ region, endpoint, credentials: EMULATOR_CREDENTIALS });
