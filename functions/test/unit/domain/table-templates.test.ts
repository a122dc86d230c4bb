import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { checkTableTemplates, DEFAULT_TABLE_TEMPLATES } from '../../../src/config/table-templates.ts';
import type { CatalogTable } from '../../../src/domain/data-table.ts';
import {
  fillTemplate,
  sparkIdentifier,
  sqlIdentifier,
  templateProblems,
  templatesFor,
  type TableTemplate,
} from '../../../src/domain/table-templates.ts';

const glueTable: CatalogTable = {
  catalog: 'glue',
  database: 'sales',
  name: 'orders',
  columns: [{ name: 'id', type: 'bigint' }],
};
const template = (code: string, language: TableTemplate['language'] = 'python'): TableTemplate => ({
  id: 't',
  label: 'T',
  language,
  code,
});

describe('table templates', () => {
  it('fills the Glue defaults: Athena through awswrangler, Spark and SQL, each naming the table quoted', () => {
    // Act
    const [pandas, spark, sql] = templatesFor(DEFAULT_TABLE_TEMPLATES, glueTable);
    // Assess
    expect(pandas!.code).toContain(
      `wr.athena.read_sql_query('SELECT * FROM "sales"."orders" LIMIT 10', database='sales')`,
    );
    expect(spark!.code).toContain("spark.table('`sales`.`orders`')");
    expect(sql).toMatchObject({ language: 'sql', code: 'SELECT * FROM "sales"."orders" LIMIT 10\n' });
  });

  it('quotes a hostile table name so it can neither end the string nor the identifier', () => {
    // Prepare
    const hostile = { ...glueTable, name: `x"; DROP TABLE y; --'\`\n` };
    // Act
    const [pandas, spark, sql] = templatesFor(DEFAULT_TABLE_TEMPLATES, hostile);
    // Assess
    expect(pandas!.code).toContain(`'SELECT * FROM "sales"."x""; DROP TABLE y; --\\'\`\\n" LIMIT 10'`);
    expect(spark!.code).toContain("'`sales`.`x\"; DROP TABLE y; --\\'``\\n`'");
    expect(sql!.code).toBe('SELECT * FROM "sales"."x""; DROP TABLE y; --\'`\n" LIMIT 10\n');
    expect(sqlIdentifier('a"b')).toBe('"a""b"');
    expect(sparkIdentifier('a`b')).toBe('`a``b`');
  });

  it('encodes a SQLite path as a read-only URI, whatever characters it holds', () => {
    // Prepare
    const table: CatalogTable = { ...glueTable, catalog: 'sqlite', location: "/t/my db?#%'.sqlite" };
    // Act
    const filled = fillTemplate(template('{{ sqlite_uri | py }}'), table);
    // Assess
    expect(filled.code).toBe("'file:/t/my%20db%3F%23%25%27.sqlite?mode=ro'");
  });

  it('refuses placeholders that could write a value unquoted, or that do not exist', () => {
    // Act
    const problems = [
      templateProblems(template('spark.table("{{ table }}")')),
      templateProblems(template('{{ tabel | py }}')),
      templateProblems(template('{{ table | upper }}')),
      templateProblems(template('SELECT * FROM {{ table }}', 'sql')),
      templateProblems(template('SELECT {{ sql_table | py }}', 'sql')),
      templateProblems(template('{{table|py}} {{ oops')),
      templateProblems(template('SELECT * FROM {{ sql_table }}', 'sql')),
    ];
    // Assess
    expect(problems.map((p) => p.length)).toEqual([1, 1, 1, 1, 1, 1, 0]);
    expect(problems[0]![0]).toMatch(/write '\{\{ table \| py \}\}'/);
  });

  it('loads a registry that replaces one catalog’s templates and keeps the defaults of the other', () => {
    // Act
    const registry = checkTableTemplates(
      { sqlite: [{ id: 'count', label: 'Count', language: 'sql', code: 'SELECT count(*) FROM {{ sql_table }}' }] },
      'templates.yaml',
    );
    // Assess
    expect(registry.sqlite.map((t) => t.id)).toEqual(['count']);
    expect(registry.glue).toEqual(DEFAULT_TABLE_TEMPLATES.glue);
  });

  it('stops start-up on a bad registry, naming the file and the template', () => {
    // Act
    const unsafe = () =>
      checkTableTemplates({ glue: [{ id: 'bad', label: 'Bad', language: 'python', code: '{{ table }}' }] }, 'x.yaml');
    const unknownKey = () => checkTableTemplates({ athena: [] }, 'x.yaml');
    // Assess
    expect(unsafe).toThrow(/x\.yaml: template 'bad': write/);
    expect(unknownKey).toThrow(/x\.yaml: .*athena/);
  });
});

describe('the example template registry in config/', () => {
  it('loads through ORRERY_TABLE_TEMPLATES_FILE, replacing both catalogs’ templates', () => {
    // Prepare
    const file = join(import.meta.dirname, '..', '..', '..', '..', 'config', 'table-templates.example.yaml');
    // Act
    const config = loadConfig({ ORRERY_TABLE: 't', ORRERY_BUCKET: 'b', ORRERY_TABLE_TEMPLATES_FILE: file });
    const unset = loadConfig({ ORRERY_TABLE: 't', ORRERY_BUCKET: 'b' });
    // Assess
    expect(config.tableTemplates.sqlite.map((t) => t.id)).toEqual(['sqlite3-rows', 'count']);
    expect(config.tableTemplates.glue.map((t) => t.id)).toEqual(['spark']);
    expect(unset.tableTemplates).toEqual(DEFAULT_TABLE_TEMPLATES);
  });
});
