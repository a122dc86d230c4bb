import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverIdFor } from '../../src/domain/server.ts';
import { tinyNotebook } from '../support/notebooks.ts';
import { callApi, startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { eventually, jupyterServerAvailable, serverProcesses, waitForServer } from '../support/servers.ts';

// The server-token routes over HTTP, against the local platform, a real `jupyter server` and its tables folder: what
// JupyterLab's Orrery extension does for the owner through its server.

const NAME = 'lab';
const serverId = serverIdFor('alice', NAME);
const PYTHON = '/usr/bin/python3';

let t: TestPlatform;
let serverToken: string;

/** Calls a lab route with a token in `Authorization: token …` (what the server's handler sends). */
const lab = (method: string, path: string, token: string | null, body?: unknown) =>
  fetch(`${t.platform.apiUrl}/servers/${NAME}/lab${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `token ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));

describe.skipIf(!jupyterServerAvailable())('the server-token routes of a local server', () => {
  beforeAll(async () => {
    t = await startTestPlatform(mkdtempSync(join(tmpdir(), 'orrery-lab-api-')), {
      ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
    });
    // A user's own SQLite file, dropped into the tables folder the platform made on start (its data folder's).
    execFileSync(PYTHON, [
      '-c',
      'import sqlite3, sys\ncon = sqlite3.connect(sys.argv[1])\n' +
        "con.execute('CREATE TABLE orders (id INTEGER, customer TEXT)')\n" +
        "con.executemany('INSERT INTO orders VALUES (?, ?)', [(1, 'ann'), (2, 'bo')])\ncon.commit()",
      join(t.home, 'tables', 'shop.sqlite'),
    ]);
    const launch = await t.api('POST', '/servers', t.tokens.alice, { name: NAME });
    expect(launch.status, launch.text).toBe(202);
    const server = await waitForServer(t, NAME, t.tokens.alice, ['RUNNING', 'FAILED']);
    expect(server.status, server.reason).toBe('RUNNING');
    serverToken = launch.body.token;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('answers the server itself to its token, and refuses no token (401), a JWT or another name (403)', async () => {
    // Act
    const own = await lab('GET', '/server', serverToken);
    const none = await lab('GET', '/server', null);
    const jwt = await lab('GET', '/server', t.tokens.alice);
    const other = await fetch(`${t.platform.apiUrl}/servers/other/lab/server`, {
      headers: { authorization: `token ${serverToken}` },
    });
    // Assess
    expect(own).toMatchObject({ status: 200, body: { name: NAME, owner: 'alice', status: 'RUNNING', role: null } });
    expect(none.status).toBe(401);
    expect(jwt.status).toBe(403);
    expect(other.status).toBe(403);
  });

  it('uploads a notebook and a second version for the owner, lists them and downloads a version', async () => {
    // Act
    const created = await lab('POST', '/notebooks', serverToken, {
      title: 'From JupyterLab',
      tags: ['lab'],
      content: tinyNotebook('one'),
    });
    const id = created.body.notebook?.id as string;
    const second = await lab('POST', `/notebooks/${id}/versions`, serverToken, {
      content: tinyNotebook('two'),
      message: 'again',
    });
    const listed = await lab('GET', '/notebooks?tag=lab', serverToken);
    const versions = await lab('GET', `/notebooks/${id}/versions`, serverToken);
    const got = await lab('GET', `/notebooks/${id}/versions/2`, serverToken);
    const body = await fetch(got.body.download.url).then((r) => r.text());
    const asOwner = await t.api('GET', `/notebooks/${id}`, t.tokens.alice);
    // Assess
    expect(created).toMatchObject({ status: 201, body: { version: { version: 1 }, upload: null } });
    expect(second).toMatchObject({ status: 201, body: { version: 2, message: 'again' } });
    expect(listed.body.items.map((n: { id: string }) => n.id)).toEqual([id]);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(body).toBe(tinyNotebook('two'));
    expect(asOwner.body).toMatchObject({ owner: 'alice', title: 'From JupyterLab' });
  });

  it('refuses an upload without content: a server token cannot ask for an upload form', async () => {
    // Act
    const res = await lab('POST', '/notebooks', serverToken, { title: 'Empty' });
    // Assess
    expect(res.status).toBe(400);
  });

  it('lists the owner’s roles and refuses a role the owner does not hold (403)', async () => {
    // Act
    const roles = await lab('GET', '/roles', serverToken);
    const notHeld = await lab('PUT', '/role', serverToken, { role: 'risk-prod' });
    const cleared = await lab('PUT', '/role', serverToken, { role: null });
    // Assess
    expect(roles).toEqual({ status: 200, body: { items: [] } });
    expect(notHeld.status).toBe(403);
    expect(cleared).toMatchObject({ status: 200, body: { role: null } });
  });

  it('lists the SQLite tables with code that prints their rows in a plain Python', async () => {
    // Act
    const all = await lab('GET', '/tables', serverToken);
    const none = await lab('GET', '/tables?q=nothing-like-it', serverToken);
    const orders = all.body.items.find((table: { name: string }) => table.name === 'orders');
    const code = orders.templates.find((tpl: { id: string }) => tpl.id === 'sqlite3-rows').code as string;
    const printed = execFileSync(PYTHON, ['-c', code], { encoding: 'utf8' });
    // Assess
    expect(orders).toMatchObject({
      catalog: 'sqlite',
      database: 'shop.sqlite',
      columns: [
        { name: 'id', type: 'INTEGER' },
        { name: 'customer', type: 'TEXT' },
      ],
      location: join(t.home, 'tables', 'shop.sqlite'),
    });
    expect(printed.trim().split('\n')).toEqual(["['id', 'customer']", "(1, 'ann')", "(2, 'bo')"]);
    expect(none.body.items).toEqual([]);
  });

  it('keeps the server alive, then shuts it down: STOPPED by owner, no process left, the token dead', async () => {
    // Act
    const alive = await lab('POST', '/keepalive', serverToken);
    const stopped = await lab('POST', '/shutdown', serverToken);
    const after = await lab('GET', '/server', serverToken);
    const record = await callApi(t.platform.apiUrl, 'GET', `/servers/${NAME}`, t.tokens.alice);
    // Assess
    expect(alive).toMatchObject({ status: 200, body: { status: 'RUNNING' } });
    expect(stopped).toMatchObject({ status: 200, body: { status: 'STOPPED', reason: 'stopped by owner' } });
    expect(after.status).toBe(403);
    expect(record.body).toMatchObject({ status: 'STOPPED', stoppedBy: 'owner' });
    await eventually(async () => serverProcesses(t.home, serverId).length === 0, 'the server’s processes to end');
  });
});
