import type { AwsCredentials } from '../../domain/credentials.ts';
import type { CatalogKind, CatalogTable } from '../../domain/data-table.ts';
import { byTableOrder } from '../../domain/data-table.ts';
import type { CatalogListing, CatalogRequest, DataCatalog } from '../../ports/data-catalog.ts';

/** A catalog of tables held in memory, for tests: it remembers the keys it was listed with, and can be made to fail. */
export class MemoryDataCatalog implements DataCatalog {
  /** The keys of each listing, in order (undefined: listed without keys). */
  readonly keysSeen: Array<AwsCredentials | undefined> = [];
  /** Thrown by the next listings while set. */
  failWith?: Error;

  constructor(
    readonly kind: CatalogKind,
    private readonly tables: CatalogTable[] = [],
    readonly needsKeys = kind === 'glue',
  ) {}

  async listTables(request: CatalogRequest): Promise<CatalogListing> {
    this.keysSeen.push(request.keys);
    if (this.failWith) throw this.failWith;
    const sorted = [...this.tables].sort(byTableOrder);
    return { tables: sorted.slice(0, request.limit), truncated: sorted.length > request.limit };
  }
}
