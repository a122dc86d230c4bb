import { MemorySparkSessionStore } from '../../src/adapters/memory/memory-spark-session-store.ts';
import { sparkSessionStoreContract } from './spark-session-store.case.ts';

sparkSessionStoreContract('memory', async () => new MemorySparkSessionStore());
