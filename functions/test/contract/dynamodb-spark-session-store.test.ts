import { afterAll, beforeAll } from 'vitest';
import { DynamoDbSparkSessionStore } from '../../src/adapters/aws/dynamodb-spark-session-store.ts';
import { startEmulators } from '../support/emulators.ts';
import { sparkSessionStoreContract } from './spark-session-store.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

sparkSessionStoreContract(
  'DynamoDB on dynalite',
  async () => new DynamoDbSparkSessionStore(emulators.doc, await emulators.newTable()),
);
