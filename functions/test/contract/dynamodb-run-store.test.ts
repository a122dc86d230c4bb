import { afterAll, beforeAll } from 'vitest';
import { DynamoDbRunStore } from '../../src/adapters/aws/dynamodb-run-store.ts';
import { startEmulators } from '../support/emulators.ts';
import { runStoreContract } from './run-store.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

runStoreContract('DynamoDB on dynalite', async () => new DynamoDbRunStore(emulators.doc, await emulators.newTable()));
