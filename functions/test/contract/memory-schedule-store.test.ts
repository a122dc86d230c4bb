import { MemoryScheduleStore } from '../../src/adapters/memory/memory-schedule-store.ts';
import { scheduleStoreContract } from './schedule-store.case.ts';

scheduleStoreContract('memory', async () => new MemoryScheduleStore());
