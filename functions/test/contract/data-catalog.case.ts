import { describe, expect, it } from 'vitest';
import type { CatalogColumn } from '../../src/domain/data-table.ts';
import type { AwsCredentials } from '../../src/domain/credentials.ts';
import type { DataCatalog } from '../../src/ports/data-catalog.ts';

/** One table a test puts into a catalog: its database (a Glue database, or a SQLite file's stem) and columns. */
export interface FixtureTable {
  database: string;
  name: string;
  columns: CatalogColumn[];
}

/** What each adapter's harness gives the contract: a catalog holding the tables, and how it names a database. */
export interface CatalogHarness {
  catalog: DataCatalog;
  /** The database name the catalog lists for a fixture database (a SQLite file is listed by its file name). */
  databaseOf: (fixture: string) => string;
}

/** Keys such as the broker issues, for the catalogs that list with a role's keys. */
export const CATALOG_KEYS: AwsCredentials = {
  accessKeyId: 'ASIATESTTESTTEST',
  secretAccessKey: 'secret',
  sessionToken: 'session',
  expiration: '2026-01-05T09:15:00.000Z',
};

const SALES: FixtureTable[] = [
  {
    database: 'sales',
    name: 'orders',
    columns: [
      { name: 'id', type: 'INTEGER' },
      { name: 'customer', type: 'TEXT' },
      { name: 'total', type: 'REAL' },
    ],
  },
  { database: 'sales', name: 'customers', columns: [{ name: 'name', type: 'TEXT' }] },
  { database: 'hr', name: 'staff', columns: [{ name: 'badge', type: 'INTEGER' }] },
  // A name with a quote, a space and a dot must come back exactly, not split or cut.
  { database: 'hr', name: 'odd "name".x', columns: [{ name: 'a b', type: 'TEXT' }] },
];

/** The behaviour every DataCatalog must have; each adapter's test file runs it. */
export const dataCatalogContract = (name: string, make: (tables: FixtureTable[]) => Promise<CatalogHarness>) =>
  describe(`DataCatalog contract: ${name}`, () => {
    it('lists every table with its columns and their types, by database then name', async () => {
      // Prepare
      const { catalog, databaseOf } = await make(SALES);
      // Act
      const listing = await catalog.listTables({ keys: CATALOG_KEYS, limit: 100 });
      // Assess
      const expected = SALES.map((t) => ({ catalog: catalog.kind, ...t, database: databaseOf(t.database) })).sort(
        (a, b) => a.database.localeCompare(b.database) || a.name.localeCompare(b.name),
      );
      expect(listing.tables.map(({ location: _, ...t }) => t)).toEqual(expected);
      expect(listing.truncated).toBe(false);
    });

    it('stops at the limit and says more tables exist', async () => {
      // Prepare
      const { catalog } = await make(SALES);
      // Act
      const listing = await catalog.listTables({ keys: CATALOG_KEYS, limit: 2 });
      // Assess
      expect(listing.tables).toHaveLength(2);
      expect(listing.truncated).toBe(true);
    });

    it('lists nothing when it holds no table', async () => {
      // Prepare
      const { catalog } = await make([]);
      // Act
      const listing = await catalog.listTables({ keys: CATALOG_KEYS, limit: 100 });
      // Assess
      expect(listing).toMatchObject({ tables: [], truncated: false });
    });
  });
