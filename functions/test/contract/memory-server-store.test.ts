import { MemoryServerStore } from '../../src/adapters/memory/memory-server-store.ts';
import { serverStoreContract } from './server-store.case.ts';

serverStoreContract('memory', async () => new MemoryServerStore());
