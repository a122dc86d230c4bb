import type { AwsCredentials } from '../domain/credentials.ts';
import type { CatalogKind, CatalogTable } from '../domain/data-table.ts';

/** What one listing asks for: keys for the server's role (the catalogs that need them) and a cap on tables. */
export interface CatalogRequest {
  keys?: AwsCredentials;
  /** The most tables to return; `truncated` says when there were more. */
  limit: number;
}

/** The tables a catalog lists, by database then name. */
export interface CatalogListing {
  tables: CatalogTable[];
  /** More tables exist than `limit` let through. */
  truncated: boolean;
  /** Databases or files that could not be read, with why (the others are listed). */
  problems?: string[];
}

/**
 * A catalog of tables a server's notebooks can query: the AWS Glue Data Catalog (with keys for the server's role)
 * or the SQLite files of a local folder. Access refused is a ForbiddenError, an unreachable catalog an
 * UpstreamError.
 */
export interface DataCatalog {
  readonly kind: CatalogKind;
  /** Whether it lists with keys for the server's role (Glue); without a role such a catalog shows nothing. */
  readonly needsKeys: boolean;
  listTables(request: CatalogRequest): Promise<CatalogListing>;
}
