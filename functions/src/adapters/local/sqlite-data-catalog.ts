import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import type { CatalogTable } from '../../domain/data-table.ts';
import { byTableOrder } from '../../domain/data-table.ts';
import type { CatalogListing, CatalogRequest, DataCatalog } from '../../ports/data-catalog.ts';

// Local mode's catalog: the SQLite files of one folder, introspected with sql.js (SQLite compiled to WebAssembly: no
// native build, no download). Each file is read into memory and opened there, so the file is never locked or
// written, and a database another process is writing stays theirs; what a WAL file has not checkpointed yet is not
// seen. Files are re-read only when their size or modification time changes.

const EXTENSIONS = /\.(sqlite3?|db)$/i;
// Subfolders are walked this deep, no deeper; symbolic links to folders are not followed (no loops).
const MAX_DEPTH = 3;

interface Cached {
  mtimeMs: number;
  size: number;
  tables: CatalogTable[];
}

/** Settings of the SQLite catalog. */
export interface SqliteCatalogOptions {
  /** Files larger than this are named in the listing's problems instead of being read. */
  maxFileBytes?: number;
}

const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

let engine: Promise<SqlJsStatic> | undefined;
const sqlJs = (): Promise<SqlJsStatic> => {
  engine ??= initSqlJs();
  return engine;
};

const databaseFiles = (root: string, folder = root, depth = 0): string[] => {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(folder, e.name);
    if (e.isDirectory()) return depth < MAX_DEPTH ? databaseFiles(root, path, depth + 1) : [];
    return (e.isFile() || e.isSymbolicLink()) && EXTENSIONS.test(e.name) ? [path] : [];
  });
};

const rows = (db: Database, sql: string, params: string[] = []): string[][] => {
  const result = db.exec(sql, params);
  return (result[0]?.values ?? []).map((row) => row.map((cell) => (cell === null ? '' : String(cell))));
};

// Tables and views, not SQLite's own; each with its columns and declared types (none declared: '').
const introspect = (db: Database, database: string, location: string): CatalogTable[] =>
  rows(db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    .map(([name]) => name as string)
    .map((name) => ({
      catalog: 'sqlite' as const,
      database,
      name,
      columns: rows(db, 'SELECT name, type FROM pragma_table_info(?) ORDER BY cid', [name]).map(([n, t]) => ({
        name: n as string,
        type: t as string,
      })),
      location,
    }));

/** The SQLite databases under one folder, as a DataCatalog (local mode). */
export class SqliteDataCatalog implements DataCatalog {
  readonly kind = 'sqlite' as const;
  readonly needsKeys = false;
  private readonly cache = new Map<string, Cached>();
  private readonly maxFileBytes: number;

  constructor(
    private readonly folder: string,
    options: SqliteCatalogOptions = {},
  ) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  async listTables(request: CatalogRequest): Promise<CatalogListing> {
    const tables: CatalogTable[] = [];
    const problems: string[] = [];
    for (const path of databaseFiles(this.folder)) {
      const database = relative(this.folder, path).split(sep).join('/');
      try {
        tables.push(...(await this.tablesOf(path, database)));
      } catch (err) {
        problems.push(`${database}: ${(err as Error).message}`);
      }
    }
    tables.sort(byTableOrder);
    return {
      tables: tables.slice(0, request.limit),
      truncated: tables.length > request.limit,
      ...(problems.length ? { problems } : {}),
    };
  }

  private async tablesOf(path: string, database: string): Promise<CatalogTable[]> {
    const { mtimeMs, size } = statSync(path);
    const cached = this.cache.get(path);
    if (cached && cached.mtimeMs === mtimeMs && cached.size === size) return cached.tables;
    if (size > this.maxFileBytes)
      throw new Error(`${Math.round(size / 1024 / 1024)} MiB, over the ${this.maxFileBytes / 1024 / 1024} MiB read`);
    const SQL = await sqlJs();
    const db = new SQL.Database(readFileSync(path));
    try {
      const tables = introspect(db, database, path);
      this.cache.set(path, { mtimeMs, size, tables });
      return tables;
    } catch (err) {
      throw new Error(/not a database|malformed/i.test((err as Error).message) ? 'not a SQLite database' : String(err));
    } finally {
      db.close();
    }
  }
}
