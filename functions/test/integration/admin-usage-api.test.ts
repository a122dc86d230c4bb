import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageSchema } from '../../src/contracts/server-schemas.ts';
import { tinyNotebook } from '../support/notebooks.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { jupyterServerAvailable, waitForServer } from '../support/servers.ts';

let t: TestPlatform;

describe('GET /admin/usage on the local platform', () => {
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows an admin the day’s runs by status in the documented shape, refuses others, and is in the API description', async () => {
    // Prepare: one run, whatever becomes of it on this machine.
    const nb = await t.api('POST', '/notebooks', t.tokens.alice, { title: 'usage', content: tinyNotebook() });
    const started = await t.api('POST', `/notebooks/${nb.body.notebook.id}/runs`, t.tokens.alice, {});
    // Act
    const usage = await t.api('GET', '/admin/usage', t.tokens.root);
    const refused = await t.api('GET', '/admin/usage', t.tokens.alice);
    const openapi = await t.api('GET', '/openapi.json');
    // Assess
    expect(started.status).toBe(202);
    expect(usage.status).toBe(200);
    expect(UsageSchema.strict().safeParse(usage.body).success).toBe(true);
    expect(Object.values(usage.body.runs.byStatus as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(1);
    expect(Date.parse(usage.body.generatedAt) - Date.parse(usage.body.runs.since)).toBe(24 * 3600 * 1000);
    expect(refused.status).toBe(403);
    expect(openapi.body.paths['/admin/usage'].get.responses['200']).toBeDefined();
  });

  it.skipIf(!jupyterServerAvailable())(
    'counts a running server in its pool with its hourly price, and not once it is stopped',
    async () => {
      // Prepare
      await t.api('POST', '/servers', t.tokens.alice, { name: 'usage' });
      const server = await waitForServer(t, 'usage', t.tokens.alice, ['RUNNING', 'FAILED']);
      // Act
      const running = (await t.api('GET', '/admin/usage', t.tokens.root)).body;
      await t.api('DELETE', '/servers/usage', t.tokens.alice);
      await waitForServer(t, 'usage', t.tokens.alice, ['STOPPED']);
      const stopped = (await t.api('GET', '/admin/usage', t.tokens.root)).body;
      // Assess
      expect(server.status).toBe('RUNNING');
      expect(running.activeServers).toEqual([
        expect.objectContaining({ owner: 'alice', name: 'usage', status: 'RUNNING' }),
      ]);
      expect(running.pools).toContainEqual({ pool: 'cpu-on-demand', activeServers: 1, hourlyCost: server.hourlyPrice });
      expect(running.hourlyCost).toBe(server.hourlyPrice);
      expect(stopped.activeServers).toEqual([]);
      expect(stopped.hourlyCost).toBe(0);
    },
  );
});
