import { MemoryNotebookStore } from '../../src/adapters/memory/memory-notebook-store.ts';
import { notebookStoreContract } from './notebook-store.case.ts';

notebookStoreContract('memory', async () => new MemoryNotebookStore());
