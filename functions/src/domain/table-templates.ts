import type { CatalogKind, CatalogTable } from './data-table.ts';
import { pythonString } from './translators/python.ts';

/** A template's language: a Python cell, or a SQL one (for a `%%sql` cell or an editor). */
export type TemplateLanguage = 'python' | 'sql';

/** One code template of the registry, with `{{ placeholders }}` filled per table. */
export interface TableTemplate {
  id: string;
  label: string;
  language: TemplateLanguage;
  code: string;
}

/** The templates of each catalog, in the order the panel offers them. */
export type TemplateRegistry = Record<CatalogKind, TableTemplate[]>;

/** A template filled in for one table: runnable as it is. */
export type FilledTemplate = TableTemplate;

// Raw values: only ever written into code through a filter that quotes them.
const RAW = ['table', 'database', 'location', 'sqlite_uri'] as const;
// SQL text already quoted for its engine (identifiers doubled inside their quotes): safe in a SQL template as is.
const QUOTED_SQL = ['sql_table', 'spark_table', 'select'] as const;
const VARIABLES = new Set<string>([...RAW, ...QUOTED_SQL]);
const FILTERS = new Set(['py']);
const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*(?:\|\s*([A-Za-z_]+)\s*)?\}\}/g;

/** Where a placeholder is refused: in which template, and why. */
const problem = (t: TableTemplate, why: string) => `template '${t.id}': ${why}`;

/**
 * Checks one template's placeholders, so a registry that could write a table's name unquoted into code is refused
 * when it loads, not when a table with a quote in its name shows up. In a Python template every placeholder goes
 * through `| py` (a Python string literal); in a SQL template only the already-quoted SQL values (`sql_table`,
 * `spark_table`, `select`) may appear, unfiltered.
 */
export const templateProblems = (t: TableTemplate): string[] => {
  const problems: string[] = [];
  const stripped = t.code.replace(PLACEHOLDER, (_, name: string, filter: string | undefined) => {
    if (!VARIABLES.has(name))
      problems.push(problem(t, `unknown placeholder '${name}' (use ${[...VARIABLES].join(', ')})`));
    else if (filter !== undefined && !FILTERS.has(filter)) problems.push(problem(t, `unknown filter '${filter}'`));
    else if (t.language === 'python' && filter !== 'py')
      problems.push(problem(t, `write '{{ ${name} | py }}': a Python template quotes every value as a string literal`));
    else if (t.language === 'sql' && (filter !== undefined || !(QUOTED_SQL as readonly string[]).includes(name)))
      problems.push(problem(t, `a SQL template takes only ${QUOTED_SQL.join(', ')}, unfiltered`));
    return '';
  });
  if (stripped.includes('{{')) problems.push(problem(t, "a '{{' that is not a placeholder such as {{ table | py }}"));
  return problems;
};

/** A SQL identifier in double quotes (SQLite, Athena/Trino): an inner quote doubled, so no name ends it early. */
export const sqlIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A Spark SQL identifier in backticks, an inner backtick doubled. */
export const sparkIdentifier = (name: string): string => `\`${name.replaceAll('`', '``')}\``;

// SQLite's URI filenames decode %HH; everything but unreserved characters and `/` is encoded, `?` and `#` included.
const uriPath = (path: string): string =>
  Array.from(new TextEncoder().encode(path), (byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9/._~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');

/** The values a table's templates are filled with, raw and quoted. */
export const templateValues = (t: CatalogTable): Record<string, string> => {
  const sqlTable =
    t.catalog === 'glue' ? `${sqlIdentifier(t.database)}.${sqlIdentifier(t.name)}` : sqlIdentifier(t.name);
  return {
    table: t.name,
    database: t.database,
    location: t.location ?? '',
    // Read-only, so a template can never change the file it reads.
    sqlite_uri: t.catalog === 'sqlite' && t.location ? `file:${uriPath(t.location)}?mode=ro` : '',
    sql_table: sqlTable,
    spark_table: `${sparkIdentifier(t.database)}.${sparkIdentifier(t.name)}`,
    select: `SELECT * FROM ${sqlTable} LIMIT 10`,
  };
};

/** Fills a checked template for one table; placeholders were checked when the registry loaded (templateProblems). */
export const fillTemplate = (template: TableTemplate, table: CatalogTable): FilledTemplate => {
  const values = templateValues(table);
  const code = template.code.replace(PLACEHOLDER, (_, name: string, filter: string | undefined) => {
    const value = values[name] ?? '';
    return filter === 'py' ? pythonString(value) : value;
  });
  return { ...template, code };
};

/** The templates of a table's catalog, filled in for it. */
export const templatesFor = (registry: TemplateRegistry, table: CatalogTable): FilledTemplate[] =>
  (registry[table.catalog] ?? []).map((t) => fillTemplate(t, table));
