import { describe, expect, it } from 'vitest';
import { MemoryCredentialLog } from '../../../src/adapters/memory/memory-credential-log.ts';
import { MemoryDataCatalog } from '../../../src/adapters/memory/memory-data-catalog.ts';
import { DEFAULT_TABLE_TEMPLATES } from '../../../src/config/table-templates.ts';
import type { CatalogTable } from '../../../src/domain/data-table.ts';
import { ForbiddenError, UpstreamError } from '../../../src/domain/errors.ts';
import { listTables } from '../../../src/use-cases/list-tables.ts';
import { serverTokenCaller } from '../../../src/use-cases/server-token-caller.ts';
import { setServerRole } from '../../../src/use-cases/set-server-role.ts';
import { FakeCredentialBroker } from '../../support/fake-credential-broker.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import { runningServer } from '../../support/server-scenarios.ts';

const orders: CatalogTable = {
  catalog: 'sqlite',
  database: 'shop.sqlite',
  name: 'orders',
  columns: [{ name: 'customer', type: 'TEXT' }],
  location: '/data/tables/shop.sqlite',
};
const clicks: CatalogTable = {
  catalog: 'glue',
  database: 'lake',
  name: 'clicks',
  columns: [{ name: 'day', type: 'date' }],
  location: 's3://lake/clicks/',
};

/** A running server of alice's and the two catalogs: SQLite files (no keys) and Glue (the role's keys). */
const tablesSetup = async () => {
  const base = memoryServerDeps();
  const sqlite = new MemoryDataCatalog('sqlite', [orders]);
  const glue = new MemoryDataCatalog('glue', [clicks]);
  const deps = {
    ...base,
    broker: new FakeCredentialBroker(base.clock),
    credentialLog: new MemoryCredentialLog(),
    catalogs: [sqlite, glue],
    tableTemplates: DEFAULT_TABLE_TEMPLATES,
  };
  const { token } = await runningServer(deps);
  const caller = async () => serverTokenCaller(deps, { name: 'lab', token });
  return { deps, sqlite, glue, caller };
};

describe('the tables of a server', () => {
  it('without a role: only the local tables, and a note that says how to see Glue’s; no keys are issued', async () => {
    // Prepare
    const { deps, glue, caller } = await tablesSetup();
    // Act
    const answer = await listTables(deps, await caller());
    // Assess
    expect(answer.items.map((t) => `${t.catalog}:${t.name}`)).toEqual(['sqlite:orders']);
    expect(answer.note).toMatch(/no AWS role/);
    expect(glue.keysSeen).toEqual([]);
    expect(deps.broker.requests).toEqual([]);
  });

  it('with a role: Glue is listed with keys for it, issued to the owner for the server and recorded', async () => {
    // Prepare
    const { deps, sqlite, glue, caller } = await tablesSetup();
    await setServerRole(deps, { user: people.alice, name: 'lab', role: 'ads-lake' });
    // Act
    const answer = await listTables(deps, await caller());
    // Assess
    expect(answer.items.map((t) => `${t.catalog}:${t.name}`)).toEqual(['glue:clicks', 'sqlite:orders']);
    expect(answer.note).toBeUndefined();
    expect(sqlite.keysSeen).toEqual([undefined]);
    expect(glue.keysSeen[0]?.accessKeyId).toBeDefined();
    expect(deps.broker.requests).toHaveLength(1);
    expect(deps.broker.requests[0]).toMatchObject({
      roleArn: 'arn:aws:iam::123456789012:role/ads-lake',
      durationSeconds: 900,
      tags: { 'orrery:user': 'alice', 'orrery:purpose': 'server' },
    });
    const log = await deps.credentialLog.listForUser('alice', { limit: 10 });
    expect(log.items).toMatchObject([{ role: 'ads-lake', purpose: 'server' }]);
  });

  it('turns a catalog that refuses or fails into a note and still lists the others', async () => {
    // Prepare
    const { deps, glue, caller } = await tablesSetup();
    await setServerRole(deps, { user: people.alice, name: 'lab', role: 'ads-lake' });
    glue.failWith = new ForbiddenError('the server’s role may not read the Glue Data Catalog');
    // Act
    const refused = await listTables(deps, await caller());
    glue.failWith = new UpstreamError('Glue did not answer');
    const failed = await listTables(deps, await caller());
    // Assess
    expect(refused.items.map((t) => t.name)).toEqual(['orders']);
    expect(refused.note).toBe('glue: the server’s role may not read the Glue Data Catalog');
    expect(failed.note).toBe('glue: Glue did not answer');
  });

  it('shows a note, not keys, when the role is no longer held by the teams recorded on the server', async () => {
    // Prepare
    const { deps, glue, caller } = await tablesSetup();
    await setServerRole(deps, { user: people.alice, name: 'lab', role: 'ads-lake' });
    const server = (await deps.servers.listServers('alice'))[0]!;
    await deps.servers.moveServer(server.id, ['RUNNING'], { ownerTeams: ['risk'], updatedAt: 'x' });
    // Act
    const answer = await listTables(deps, await caller());
    // Assess
    expect(answer.note).toMatch(/^glue: you may not assume role 'ads-lake'/);
    expect(glue.keysSeen).toEqual([]);
  });

  it('keeps tables whose database, name or a column holds the search (any case), templates filled in', async () => {
    // Prepare
    const { deps, caller } = await tablesSetup();
    // Act
    const byColumn = await listTables(deps, { ...(await caller()), search: 'CUSTOM' });
    const none = await listTables(deps, { ...(await caller()), search: 'nothing-like-it' });
    // Assess
    expect(byColumn.items.map((t) => t.name)).toEqual(['orders']);
    expect(byColumn.items[0]!.templates.map((t) => t.id)).toEqual(['sqlite3-rows', 'pandas', 'sql']);
    expect(byColumn.items[0]!.templates[0]!.code).toContain("'file:/data/tables/shop.sqlite?mode=ro'");
    expect(none.items).toEqual([]);
  });
});
