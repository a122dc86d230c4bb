import { GetDatabasesCommand, GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { GlueDataCatalog, glueClientFor } from '../../src/adapters/aws/glue-data-catalog.ts';
import type { AwsCredentials } from '../../src/domain/credentials.ts';
import { ForbiddenError, UpstreamError } from '../../src/domain/errors.ts';
import { CATALOG_KEYS, dataCatalogContract, type FixtureTable } from './data-catalog.case.ts';

const glue = mockClient(GlueClient);
afterEach(() => glue.reset());

/**
 * Glue as the SDK mock answers it: databases in reverse order, one per page, and each database's tables one per
 * page, so every NextToken must be followed; the last column of each table is a partition key.
 */
const mockGlue = (tables: FixtureTable[]) => {
  const databases = [...new Set(tables.map((t) => t.database))].reverse();
  glue.on(GetDatabasesCommand).callsFake((input: { NextToken?: string }) => {
    const at = Number(input.NextToken ?? 0);
    const next = at + 1 < databases.length ? String(at + 1) : undefined;
    return { DatabaseList: databases.slice(at, at + 1).map((Name) => ({ Name })), NextToken: next };
  });
  glue.on(GetTablesCommand).callsFake((input: { DatabaseName: string; NextToken?: string }) => {
    const own = tables.filter((t) => t.database === input.DatabaseName);
    const at = Number(input.NextToken ?? 0);
    const t = own[at];
    const columns = (t?.columns ?? []).map((c) => ({ Name: c.name, Type: c.type }));
    return {
      TableList: t
        ? [
            {
              Name: t.name,
              DatabaseName: t.database,
              StorageDescriptor: { Columns: columns.slice(0, -1), Location: `s3://lake/${t.database}/${t.name}/` },
              PartitionKeys: columns.slice(-1),
            },
          ]
        : [],
      NextToken: at + 1 < own.length ? String(at + 1) : undefined,
    };
  });
};

dataCatalogContract('Glue (the SDK client, mocked)', async (tables) => {
  mockGlue(tables);
  return { catalog: new GlueDataCatalog(glueClientFor('eu-west-1')), databaseOf: (d) => d };
});

describe('the Glue catalog', () => {
  it("signs with the role's keys it is given and shows each table's S3 location", async () => {
    // Prepare
    mockGlue([{ database: 'lake', name: 'clicks', columns: [{ name: 'day', type: 'date' }] }]);
    const seen: AwsCredentials[] = [];
    const catalog = new GlueDataCatalog((keys) => {
      seen.push(keys);
      return glueClientFor('eu-west-1')(keys);
    });
    // Act
    const listing = await catalog.listTables({ keys: CATALOG_KEYS, limit: 10 });
    // Assess
    expect(seen).toEqual([CATALOG_KEYS]);
    expect(listing.tables).toEqual([
      {
        catalog: 'glue',
        database: 'lake',
        name: 'clicks',
        columns: [{ name: 'day', type: 'date' }],
        location: 's3://lake/lake/clicks/',
      },
    ]);
  });

  it('answers a refusal as a ForbiddenError naming the permissions, anything else as an UpstreamError', async () => {
    // Prepare
    const catalog = new GlueDataCatalog(glueClientFor('eu-west-1'));
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    glue.on(GetDatabasesCommand).rejectsOnce(denied).rejectsOnce(new Error('socket hang up'));
    // Act
    const first = await catalog.listTables({ keys: CATALOG_KEYS, limit: 10 }).catch((e) => e);
    const second = await catalog.listTables({ keys: CATALOG_KEYS, limit: 10 }).catch((e) => e);
    // Assess
    expect(first).toBeInstanceOf(ForbiddenError);
    expect((first as Error).message).toMatch(/glue:GetDatabases and glue:GetTables/);
    expect(second).toBeInstanceOf(UpstreamError);
  });

  it('refuses to list without keys: it never falls back to the function’s own identity', async () => {
    // Prepare
    const catalog = new GlueDataCatalog(glueClientFor('eu-west-1'));
    // Act
    const err = await catalog.listTables({ limit: 10 }).catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(Error);
    expect(glue.calls()).toHaveLength(0);
  });
});
