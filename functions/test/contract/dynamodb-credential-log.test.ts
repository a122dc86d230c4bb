import { afterAll, beforeAll } from 'vitest';
import { DynamoDbCredentialLog } from '../../src/adapters/aws/dynamodb-credential-log.ts';
import { startEmulators } from '../support/emulators.ts';
import { credentialLogContract } from './credential-log.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

credentialLogContract(
  'DynamoDB on dynalite',
  async () => new DynamoDbCredentialLog(emulators.doc, await emulators.newTable()),
);
