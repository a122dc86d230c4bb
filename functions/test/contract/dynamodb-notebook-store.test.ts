import { afterAll, beforeAll } from 'vitest';
import { DynamoDbNotebookStore } from '../../src/adapters/aws/dynamodb-notebook-store.ts';
import { startEmulators } from '../support/emulators.ts';
import { notebookStoreContract } from './notebook-store.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

notebookStoreContract(
  'DynamoDB on dynalite',
  async () => new DynamoDbNotebookStore(emulators.doc, await emulators.newTable()),
);
