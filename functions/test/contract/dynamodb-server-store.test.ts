import { afterAll, beforeAll } from 'vitest';
import { DynamoDbServerStore } from '../../src/adapters/aws/dynamodb-server-store.ts';
import { startEmulators } from '../support/emulators.ts';
import { serverStoreContract } from './server-store.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

serverStoreContract(
  'DynamoDB on dynalite',
  async () => new DynamoDbServerStore(emulators.doc, await emulators.newTable()),
);
