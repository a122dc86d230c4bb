import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteDataCatalog } from '../../src/adapters/local/sqlite-data-catalog.ts';
import { DEFAULT_TABLE_TEMPLATES } from '../../src/config/table-templates.ts';
import { templatesFor } from '../../src/domain/table-templates.ts';

const PYTHON = '/usr/bin/python3';
const hasPython = existsSync(PYTHON);
if (!hasPython && process.env.CI === 'true')
  throw new Error(`${PYTHON} is missing and CI=true: apt-get install python3`);

const folder = mkdtempSync(join(tmpdir(), "orrery tables 'odd' "));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// A table whose name tries to end the string, the identifier and the statement.
const HOSTILE = `sales"; DROP TABLE keep; --'`;

describe.skipIf(!hasPython)('the SQLite templates in a plain Debian Python', () => {
  it('prints the rows of a table the catalog found, however odd its name and path, changing nothing', async () => {
    // Prepare (the file is written by Python's own sqlite3, as a user's would be)
    const file = join(folder, 'shop #1?.sqlite');
    const create = `
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute('CREATE TABLE keep (x)')
con.execute('CREATE TABLE "' + sys.argv[2].replace('"', '""') + '" (id INTEGER, customer TEXT, total REAL)')
table = '"' + sys.argv[2].replace('"', '""') + '"'
con.executemany('INSERT INTO ' + table + ' VALUES (?, ?, ?)', [(1, 'ann', 3.5), (2, 'bo', 7.25)])
con.commit()
con.close()
`;
    execFileSync(PYTHON, ['-c', create, file, HOSTILE]);
    const before = readFileSync(file);
    const { tables } = await new SqliteDataCatalog(folder).listTables({ limit: 10 });
    const table = tables.find((t) => t.name === HOSTILE)!;
    const code = templatesFor(DEFAULT_TABLE_TEMPLATES, table).find((t) => t.id === 'sqlite3-rows')!.code;
    // Act
    const out = execFileSync(PYTHON, ['-c', code], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    // Assess
    expect(table.columns.map((c) => `${c.name} ${c.type}`)).toEqual(['id INTEGER', 'customer TEXT', 'total REAL']);
    expect(out.trim().split('\n')).toEqual(["['id', 'customer', 'total']", "(1, 'ann', 3.5)", "(2, 'bo', 7.25)"]);
    expect(readFileSync(file)).toEqual(before);
  });
});
