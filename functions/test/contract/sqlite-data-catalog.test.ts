import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteDataCatalog } from '../../src/adapters/local/sqlite-data-catalog.ts';
import { sqlIdentifier } from '../../src/domain/table-templates.ts';
import { dataCatalogContract, type FixtureTable } from './data-catalog.case.ts';

const folders: string[] = [];
afterAll(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

/** A fresh folder with one `<database>.sqlite` file per fixture database, written by SQLite itself (sql.js). */
const folderWith = async (tables: FixtureTable[]): Promise<string> => {
  const folder = mkdtempSync(join(tmpdir(), 'orrery-tables-'));
  folders.push(folder);
  const SQL = await initSqlJs();
  for (const database of new Set(tables.map((t) => t.database))) {
    const db = new SQL.Database();
    for (const t of tables.filter((x) => x.database === database)) {
      const columns = t.columns.map((c) => `${sqlIdentifier(c.name)} ${c.type}`).join(', ');
      db.run(`CREATE TABLE ${sqlIdentifier(t.name)} (${columns})`);
    }
    writeFileSync(join(folder, `${database}.sqlite`), db.export());
    db.close();
  }
  return folder;
};

dataCatalogContract('SQLite files (sql.js)', async (tables) => ({
  catalog: new SqliteDataCatalog(await folderWith(tables)),
  databaseOf: (d) => `${d}.sqlite`,
}));

describe('the SQLite catalog', () => {
  it('finds .db and .sqlite3 files in subfolders, gives each its path, and leaves every file as it was', async () => {
    // Prepare
    const folder = await folderWith([{ database: 'shop', name: 'orders', columns: [{ name: 'id', type: 'INT' }] }]);
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run('CREATE TABLE events (at TEXT); CREATE VIEW recent AS SELECT at FROM events');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(folder, 'team', 'deep'), { recursive: true });
    writeFileSync(join(folder, 'team', 'deep', 'log.db'), db.export());
    writeFileSync(join(folder, 'team', 'notes.txt'), 'not a database');
    const before = readFileSync(join(folder, 'shop.sqlite'));
    const mtime = statSync(join(folder, 'shop.sqlite')).mtimeMs;
    // Act
    const listing = await new SqliteDataCatalog(folder).listTables({ limit: 10 });
    // Assess
    expect(listing.tables.map((t) => [t.database, t.name, t.location])).toEqual([
      ['shop.sqlite', 'orders', join(folder, 'shop.sqlite')],
      ['team/deep/log.db', 'events', join(folder, 'team', 'deep', 'log.db')],
      ['team/deep/log.db', 'recent', join(folder, 'team', 'deep', 'log.db')],
    ]);
    expect(readFileSync(join(folder, 'shop.sqlite'))).toEqual(before);
    expect(statSync(join(folder, 'shop.sqlite')).mtimeMs).toBe(mtime);
  });

  it('names a file that is not a database, or too large to read, and still lists the others', async () => {
    // Prepare
    const folder = await folderWith([{ database: 'shop', name: 'orders', columns: [{ name: 'id', type: 'INT' }] }]);
    writeFileSync(join(folder, 'broken.db'), 'hello, not SQLite');
    // Act
    const listing = await new SqliteDataCatalog(folder).listTables({ limit: 10 });
    const small = await new SqliteDataCatalog(folder, { maxFileBytes: 10 }).listTables({ limit: 10 });
    // Assess
    expect(listing.tables.map((t) => t.name)).toEqual(['orders']);
    expect(listing.problems).toEqual(['broken.db: not a SQLite database']);
    expect(small.tables).toEqual([]);
    expect(small.problems).toHaveLength(2);
    expect(small.problems?.join(' ')).toMatch(/shop\.sqlite: .*MiB read/);
  });

  it('sees a table added to a file after the last listing', async () => {
    // Prepare
    const folder = await folderWith([{ database: 'shop', name: 'orders', columns: [{ name: 'id', type: 'INT' }] }]);
    const catalog = new SqliteDataCatalog(folder);
    await catalog.listTables({ limit: 10 });
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(join(folder, 'shop.sqlite')));
    db.run('CREATE TABLE refunds (id INT, amount REAL)');
    writeFileSync(join(folder, 'shop.sqlite'), db.export());
    db.close();
    // Act
    const listing = await catalog.listTables({ limit: 10 });
    // Assess
    expect(listing.tables.map((t) => t.name)).toEqual(['orders', 'refunds']);
  });

  it('lists nothing, without failing, when the folder does not exist', async () => {
    // Act
    const listing = await new SqliteDataCatalog(join(tmpdir(), 'orrery-no-such-folder')).listTables({ limit: 10 });
    // Assess
    expect(listing).toEqual({ tables: [], truncated: false });
  });
});
