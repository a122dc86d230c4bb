import { MemoryNotificationLog } from '../../src/adapters/memory/memory-notification-log.ts';
import { notificationLogContract } from './notification-log.case.ts';

notificationLogContract('memory', async () => new MemoryNotificationLog());
