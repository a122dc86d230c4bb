import { MemoryRunStore } from '../../src/adapters/memory/memory-run-store.ts';
import { runStoreContract } from './run-store.case.ts';

runStoreContract('memory', async () => new MemoryRunStore());
