import { GetDatabasesCommand, GetTablesCommand, GlueClient, type Table } from '@aws-sdk/client-glue';
import type { AwsCredentials } from '../../domain/credentials.ts';
import { byTableOrder, type CatalogTable } from '../../domain/data-table.ts';
import { ForbiddenError, UpstreamError, ValidationError } from '../../domain/errors.ts';
import type { CatalogListing, CatalogRequest, DataCatalog } from '../../ports/data-catalog.ts';

/** The Glue calls the catalog makes, so tests can pass a mocked client. */
export type GlueSend = Pick<GlueClient, 'send'>;

/** Makes a Glue client that signs with the given keys (the server's role's). */
export type GlueClientFactory = (keys: AwsCredentials) => GlueSend;

/** A Glue client for one set of keys, in the configured region. */
export const glueClientFor =
  (region: string): GlueClientFactory =>
  (keys) =>
    new GlueClient({
      region,
      credentials: {
        accessKeyId: keys.accessKeyId,
        secretAccessKey: keys.secretAccessKey,
        sessionToken: keys.sessionToken,
      },
    });

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnrecognizedClientException']);

const glueError = (err: unknown): Error => {
  const e = (err ?? {}) as { name?: string; message?: string };
  if (ACCESS_DENIED.has(e.name ?? ''))
    return new ForbiddenError(
      `the server's role may not read the Glue Data Catalog (${e.name}): it needs glue:GetDatabases and ` +
        'glue:GetTables',
    );
  return new UpstreamError(`the Glue Data Catalog did not answer: ${e.name ?? 'error'}: ${e.message ?? String(err)}`);
};

const tableOf = (database: string, t: Table): CatalogTable => ({
  catalog: 'glue',
  database,
  name: t.Name ?? '',
  // Partition keys are columns to a query too, after the stored ones (as Athena shows them).
  columns: [...(t.StorageDescriptor?.Columns ?? []), ...(t.PartitionKeys ?? [])].map((c) => ({
    name: c.Name ?? '',
    type: c.Type ?? '',
  })),
  ...(t.StorageDescriptor?.Location ? { location: t.StorageDescriptor.Location } : {}),
});

/**
 * The AWS Glue Data Catalog as the server's role sees it: GetDatabases, then GetTables of each database, every page
 * followed, signed with keys for the role, so only what that role may read is listed. Stops at the request's limit.
 */
export class GlueDataCatalog implements DataCatalog {
  readonly kind = 'glue' as const;
  readonly needsKeys = true;

  constructor(private readonly clientFor: GlueClientFactory) {}

  async listTables(request: CatalogRequest): Promise<CatalogListing> {
    if (!request.keys) throw new ValidationError('the Glue Data Catalog is listed with keys for a role');
    const glue = this.clientFor(request.keys);
    const tables: CatalogTable[] = [];
    try {
      for (const database of await this.databases(glue)) {
        let token: string | undefined;
        do {
          const page = await glue.send(new GetTablesCommand({ DatabaseName: database, NextToken: token }));
          tables.push(...(page.TableList ?? []).map((t) => tableOf(database, t)));
          if (tables.length > request.limit)
            return { tables: tables.slice(0, request.limit).sort(byTableOrder), truncated: true };
          token = page.NextToken;
        } while (token);
      }
    } catch (err) {
      throw glueError(err);
    }
    return { tables: tables.sort(byTableOrder), truncated: false };
  }

  private async databases(glue: GlueSend): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await glue.send(new GetDatabasesCommand({ NextToken: token }));
      names.push(...(page.DatabaseList ?? []).map((d) => d.Name ?? '').filter(Boolean));
      token = page.NextToken;
    } while (token);
    return names;
  }
}
