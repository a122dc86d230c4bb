// Lists a generated folder of SQLite files with the local catalog (the data-tables panel's) and prints how long the
// first listing (every file read into memory and introspected) and a repeated one (unchanged files answered from the
// cache) take. Usage: node --import tsx scripts/bench/tables.ts [--files 50 --tables 20 --rows 2000]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import initSqlJs from 'sql.js';
import { SqliteDataCatalog } from '../../functions/src/adapters/local/sqlite-data-catalog.ts';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '50' },
    tables: { type: 'string', default: '20' },
    rows: { type: 'string', default: '2000' },
  },
});
const files = Number(values.files);
const tables = Number(values.tables);
const rows = Number(values.rows);

const folder = mkdtempSync(join(tmpdir(), 'orrery-bench-tables-'));
try {
  const SQL = await initSqlJs();
  let bytes = 0;
  for (let f = 0; f < files; f += 1) {
    const db = new SQL.Database();
    for (let t = 0; t < tables; t += 1) {
      db.run(`CREATE TABLE t${t} (id INTEGER, name TEXT, amount REAL, at TEXT)`);
      const insert = db.prepare(`INSERT INTO t${t} VALUES (?, ?, ?, ?)`);
      db.run('BEGIN');
      for (let r = 0; r < rows; r += 1) insert.run([r, `name ${r}`, r * 1.5, '2026-01-05']);
      db.run('COMMIT');
      insert.free();
    }
    const data = db.export();
    bytes += data.length;
    writeFileSync(join(folder, `db${f}.sqlite`), data);
    db.close();
  }
  const catalog = new SqliteDataCatalog(folder);
  const time = async () => {
    const start = performance.now();
    const listing = await catalog.listTables({ limit: 100_000 });
    return { ms: performance.now() - start, count: listing.tables.length };
  };
  const first = await time();
  const again = await time();
  console.log(`files ${files}, tables ${files * tables}, ${(bytes / 1024 / 1024).toFixed(1)} MiB in all`);
  console.log(`first listing (read and introspect every file): ${first.ms.toFixed(0)} ms, ${first.count} tables`);
  console.log(`repeated listing (unchanged files, cached):     ${again.ms.toFixed(1)} ms`);
  console.log(`per file on the first listing:                  ${(first.ms / files).toFixed(1)} ms`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
