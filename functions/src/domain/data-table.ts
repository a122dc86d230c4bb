/** The catalogs tables come from: SQLite files in a local folder, or the AWS Glue Data Catalog. */
export type CatalogKind = 'sqlite' | 'glue';

/** One column as its catalog declares it. */
export interface CatalogColumn {
  name: string;
  type: string;
}

/** A table as a catalog lists it. */
export interface CatalogTable {
  catalog: CatalogKind;
  /** The Glue database, or the SQLite file relative to the tables folder. */
  database: string;
  name: string;
  columns: CatalogColumn[];
  /** The SQLite file's absolute path, or the Glue table's storage location. */
  location?: string;
}

/** Whether a table matches a search: its database, name or a column name holds the text, in any case. */
export const tableMatches = (table: CatalogTable, search: string | undefined): boolean => {
  if (!search) return true;
  const needle = search.toLowerCase();
  return [table.database, table.name, ...table.columns.map((c) => c.name)].some((s) =>
    s.toLowerCase().includes(needle),
  );
};

/** Tables in a stable order: catalog, database, then name. */
export const byTableOrder = (a: CatalogTable, b: CatalogTable): number =>
  a.catalog.localeCompare(b.catalog) || a.database.localeCompare(b.database) || a.name.localeCompare(b.name);
