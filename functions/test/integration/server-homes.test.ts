import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { serverIdFor } from '../../src/domain/server.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { jupyterServerAvailable, waitForServer } from '../support/servers.ts';

const ENV = {
  ORRERY_ACTIVITY_INTERVAL: '0.5',
  ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
  // Every stopped server counts as unused at once, so the admins' list shows it in this test.
  ORRERY_VOLUME_UNUSED_DAYS: '0',
  ORRERY_VOLUME_PRICE_PER_GIB_MONTH: '0.08',
};

/** Launches a server and waits until Jupyter answers; returns its URL and token. */
const launchRunning = async (t: TestPlatform, name: string) => {
  const launch = await t.api('POST', '/servers', t.tokens.alice, { name });
  expect(launch.status, JSON.stringify(launch.body)).toBe(202);
  const server = await waitForServer(t, name, t.tokens.alice, ['RUNNING', 'FAILED']);
  expect(server.status, server.reason).toBe('RUNNING');
  return { url: server.url as string, headers: { authorization: `token ${launch.body.token}` } };
};

/** Writes a text file into the server's root through Jupyter's contents API, as a notebook user saves one. */
const writeFile = async (s: { url: string; headers: Record<string, string> }, path: string, content: string) => {
  const res = await fetch(`${s.url}api/contents/${path}`, {
    method: 'PUT',
    headers: { ...s.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'file', format: 'text', content }),
  });
  expect(res.status).toBe(201);
};

const readFile = async (s: { url: string; headers: Record<string, string> }, path: string) => {
  const res = await fetch(`${s.url}api/contents/${path}?content=1`, { headers: s.headers });
  return res.status === 200 ? ((await res.json()) as { content: string }).content : res.status;
};

describe.skipIf(!jupyterServerAvailable())('a local server’s home across launches, and deleting it', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(mkdtempSync(join(tmpdir(), 'orrery-homes-')), ENV);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds after a relaunch of the same name the file its first launch wrote', async () => {
    // Prepare
    onTestFinished(() => t.api('DELETE', '/servers/keep', t.tokens.alice).then(() => undefined));
    const first = await launchRunning(t, 'keep');
    await writeFile(first, 'results.txt', 'written by the first launch');
    await t.api('DELETE', '/servers/keep', t.tokens.alice);
    // Act
    const second = await launchRunning(t, 'keep');
    const content = await readFile(second, 'results.txt');
    // Assess
    expect(content).toBe('written by the first launch');
  });

  it('refuses to delete a running server, then deletes a stopped one: its folder, its record, its files', async () => {
    // Prepare
    const running = await launchRunning(t, 'scratch');
    await writeFile(running, 'draft.txt', 'about to be deleted');
    const folder = join(t.home, 'servers', serverIdFor('alice', 'scratch'));
    // Act
    const refused = await t.api('DELETE', '/servers/scratch?remove=true', t.tokens.alice);
    await t.api('DELETE', '/servers/scratch', t.tokens.alice);
    const listed = await t.api('GET', '/admin/volumes', t.tokens.root);
    const deleted = await t.api('DELETE', '/servers/scratch?remove=true', t.tokens.alice);
    const after = await t.api('GET', '/servers/scratch', t.tokens.alice);
    const again = await launchRunning(t, 'scratch');
    onTestFinished(() => t.api('DELETE', '/servers/scratch', t.tokens.alice).then(() => undefined));
    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(
      "server 'scratch' is RUNNING; stop it first (DELETE /servers/scratch), then delete it",
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({
        owner: 'alice',
        name: 'scratch',
        status: 'STOPPED',
        storageClass: 'local-folder',
        location: join(folder, 'work'),
        unusedDays: 0,
      }),
    );
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ name: 'scratch', status: 'STOPPED' });
    expect(after.status).toBe(404);
    expect(await readFile(again, 'draft.txt')).toBe(404);
    expect(existsSync(join(folder, 'work', 'draft.txt'))).toBe(false);
  });

  it('keeps the list of volumes for admins only', async () => {
    // Act
    const refused = await t.api('GET', '/admin/volumes', t.tokens.alice);
    // Assess
    expect(refused.status).toBe(403);
  });
});
