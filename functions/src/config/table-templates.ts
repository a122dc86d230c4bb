import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { templateProblems, type TableTemplate, type TemplateRegistry } from '../domain/table-templates.ts';

// The code templates of the data-tables panel (GET /servers/{name}/lab/tables): defaults here, per catalog, which
// ORRERY_TABLE_TEMPLATES_FILE may replace catalog by catalog (see config/table-templates.example.yaml). Each
// template is checked when it loads: a placeholder that could write a table's name unquoted into code stops
// start-up (domain/table-templates.ts).

const SQLITE_ROWS = `import sqlite3
from contextlib import closing

# Opened read-only (mode=ro): this cell cannot change the file.
with closing(sqlite3.connect({{ sqlite_uri | py }}, uri=True)) as con:
    cursor = con.execute({{ select | py }})
    print([column[0] for column in cursor.description])
    for row in cursor:
        print(row)
`;

const SQLITE_PANDAS = `import sqlite3
from contextlib import closing

import pandas as pd

with closing(sqlite3.connect({{ sqlite_uri | py }}, uri=True)) as con:
    df = pd.read_sql_query({{ select | py }}, con)
df
`;

const GLUE_PANDAS = `import awswrangler as wr

# Runs on Athena with the server's AWS role; the result lands in the workgroup's output location.
df = wr.athena.read_sql_query({{ select | py }}, database={{ database | py }})
df
`;

const GLUE_SPARK = `df = spark.table({{ spark_table | py }})
df.show(10)
`;

const SQL = 'SELECT * FROM {{ sql_table }} LIMIT 10\n';

/** The templates offered unless ORRERY_TABLE_TEMPLATES_FILE replaces a catalog's. */
export const DEFAULT_TABLE_TEMPLATES: TemplateRegistry = {
  sqlite: [
    { id: 'sqlite3-rows', label: 'Python: print rows (sqlite3)', language: 'python', code: SQLITE_ROWS },
    { id: 'pandas', label: 'pandas DataFrame', language: 'python', code: SQLITE_PANDAS },
    { id: 'sql', label: 'SQL', language: 'sql', code: SQL },
  ],
  glue: [
    { id: 'pandas-athena', label: 'pandas via Athena (awswrangler)', language: 'python', code: GLUE_PANDAS },
    { id: 'spark', label: 'Spark DataFrame', language: 'python', code: GLUE_SPARK },
    { id: 'sql', label: 'SQL (Athena)', language: 'sql', code: SQL },
  ],
};

const Template = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a slug: lowercase letters, digits, dashes'),
  label: z.string().min(1).max(120),
  language: z.enum(['python', 'sql']),
  code: z.string().min(1).max(20_000),
});

const Registry = z.strictObject({
  sqlite: z.array(Template).optional(),
  glue: z.array(Template).optional(),
});

/** Checks a registry parsed from its text; catalogs it leaves out keep their defaults. */
export const checkTableTemplates = (raw: unknown, source: string): TemplateRegistry => {
  const parsed = Registry.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new Error(`configuration: ${source}: ${problems.join('; ')}`);
  }
  const registry: TemplateRegistry = { ...DEFAULT_TABLE_TEMPLATES, ...parsed.data };
  const all: TableTemplate[] = [...registry.sqlite, ...registry.glue];
  const problems = all.flatMap(templateProblems);
  for (const [catalog, templates] of Object.entries(registry)) {
    const ids = templates.map((t) => t.id);
    if (new Set(ids).size !== ids.length) problems.push(`${catalog}: two templates share an id`);
  }
  if (problems.length) throw new Error(`configuration: ${source}: ${problems.join('; ')}`);
  return registry;
};

/** The registry from ORRERY_TABLE_TEMPLATES_FILE, parsed with `parse` (JSON in the cloud), or the defaults. */
export const readTableTemplates = (
  file: string | undefined,
  parse: (text: string, source: string) => unknown,
): TemplateRegistry => {
  if (!file) return DEFAULT_TABLE_TEMPLATES;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`configuration: ORRERY_TABLE_TEMPLATES_FILE ${file} cannot be read: ${(err as Error).message}`);
  }
  return checkTableTemplates(parse(text, file), file);
};

/** Parses JSON (what the Lambdas read), naming the file when it is not JSON. */
export const parseJsonTemplates = (text: string, source: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`configuration: ${source} is not JSON: ${(err as Error).message.split('\n')[0]}`);
  }
};
