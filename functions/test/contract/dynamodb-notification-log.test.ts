import { afterAll, beforeAll } from 'vitest';
import { DynamoDbNotificationLog } from '../../src/adapters/aws/dynamodb-notification-log.ts';
import { startEmulators } from '../support/emulators.ts';
import { notificationLogContract } from './notification-log.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

notificationLogContract(
  'DynamoDB on dynalite',
  async () => new DynamoDbNotificationLog(emulators.doc, await emulators.newTable()),
);
