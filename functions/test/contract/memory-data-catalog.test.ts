import { MemoryDataCatalog } from '../../src/adapters/memory/memory-data-catalog.ts';
import { dataCatalogContract } from './data-catalog.case.ts';

dataCatalogContract('memory', async (tables) => ({
  catalog: new MemoryDataCatalog(
    'sqlite',
    tables.map((t) => ({ catalog: 'sqlite', ...t })),
  ),
  databaseOf: (d) => d,
}));
