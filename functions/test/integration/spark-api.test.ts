import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { jupyterServerAvailable, waitForServer } from '../support/servers.ts';

// The Spark routes over HTTP against the local platform and a real `jupyter server`: the owner's JWT routes and the
// server-token twins the notebook helper calls. Locally executors live in the kernel (local[N]).

let t: TestPlatform;
let serverToken: string;

/** Calls a Spark twin of server `lab` with `Authorization: token …` (what the notebook helper sends). */
const lab = (method: string, path: string, token: string | null, body?: unknown, name = 'lab') =>
  twin(method, `/sessions${path}`, token, body, name);

/** Calls `/servers/{name}/lab/spark{path}` with `Authorization: token …`. */
const twin = (method: string, path: string, token: string | null, body?: unknown, name = 'lab') =>
  fetch(`${t.platform.apiUrl}/servers/${name}/lab/spark${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `token ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));

describe.skipIf(!jupyterServerAvailable())('Spark sessions over HTTP on a local server', () => {
  beforeAll(async () => {
    t = await startTestPlatform(mkdtempSync(join(tmpdir(), 'orrery-spark-api-')), {
      ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
    });
    const launch = await t.api('POST', '/servers', t.tokens.alice, { name: 'lab', profile: 'pyspark' });
    expect(launch.status, launch.text).toBe(202);
    const server = await waitForServer(t, 'lab', t.tokens.alice, ['RUNNING', 'FAILED']);
    expect(server.status, server.reason).toBe('RUNNING');
    serverToken = launch.body.token;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('previews the derived conf and cost without starting anything', async () => {
    // Act
    const res = await t.api('POST', '/spark/preview', t.tokens.alice, { conf: { 'spark.master': 'yarn' } });
    const list = await t.api('GET', '/spark/sessions', t.tokens.alice);
    // Assess
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ pool: 'batch', executor: { cores: 4, memoryGb: 28 }, blocked: ['spark.master'] });
    expect(res.body.conf).not.toHaveProperty(['spark.master']);
    expect(list.body.items).toEqual([]);
  });

  it('answers the preview twin with exactly what POST /spark/preview answers, and records nothing', async () => {
    // Prepare
    const body = { appName: 'dry', pool: 'batch', conf: { 'spark.executor.cores': '8', 'spark.master': 'yarn' } };
    // Act
    const owner = await t.api('POST', '/spark/preview', t.tokens.alice, { ...body, server: 'lab' });
    const server = await twin('POST', '/preview', serverToken, body);
    const list = await t.api('GET', '/spark/sessions?server=lab', t.tokens.alice);
    // Assess
    expect(server.status, JSON.stringify(server.body)).toBe(200);
    expect(server.body).toEqual(owner.body);
    expect(server.body).toMatchObject({
      appName: 'dry',
      executor: { cores: 8, memoryGb: 56 },
      blocked: ['spark.master'],
    });
    expect(list.body.items).toEqual([]);
  });

  it('refuses the preview twin without a token (401) and with another server’s token (403)', async () => {
    // Prepare: a second running server of alice's, whose token must not open 'lab'.
    const launch = await t.api('POST', '/servers', t.tokens.alice, { name: 'peer', profile: 'pyspark' });
    expect(launch.status, launch.text).toBe(202);
    await waitForServer(t, 'peer', t.tokens.alice, ['RUNNING', 'FAILED']);
    // Act
    const none = await twin('POST', '/preview', null, {});
    const other = await twin('POST', '/preview', launch.body.token, {});
    const own = await twin('POST', '/preview', launch.body.token, {}, 'peer');
    await t.api('DELETE', '/servers/peer', t.tokens.alice);
    // Assess
    expect(none.status).toBe(401);
    expect(other.status).toBe(403);
    expect(own.status, JSON.stringify(own.body)).toBe(200);
  }, 120_000);

  it('starts a session with its JWT, reads it, lists it by server, and stops it', async () => {
    // Act
    const made = await t.api('POST', '/spark/sessions', t.tokens.alice, { server: 'lab', appName: 'etl' });
    const got = await t.api('GET', `/spark/sessions/${made.body.id}`, t.tokens.alice);
    const listed = await t.api('GET', '/spark/sessions?server=lab&status=ACTIVE', t.tokens.alice);
    const stopped = await t.api('DELETE', `/spark/sessions/${made.body.id}`, t.tokens.alice);
    const again = await t.api('DELETE', `/spark/sessions/${made.body.id}`, t.tokens.alice);
    // Assess
    expect(made.status, made.text).toBe(201);
    expect(made.body).toMatchObject({ server: 'lab', owner: 'alice', appName: 'etl', status: 'ACTIVE' });
    expect(made.body.conf['spark.master']).toMatch(/^local\[\d+\]$/);
    expect(made.body.conf['spark.app.id']).toBe(made.body.appId);
    expect(made.body.links.ui).toBe(`http://127.0.0.1:${made.body.conf['spark.ui.port']}/`);
    expect(got.body).toEqual(made.body);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(made.body.id);
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: 'STOPPED', stopReason: 'owner', costSoFarUsd: expect.any(Number) });
    expect(again.body).toEqual(stopped.body);
  });

  it('serves the twins to the server token: create, list this server’s, stop', async () => {
    // Act
    const made = await lab('POST', '', serverToken, { appName: 'from-kernel', conf: { 'spark.executor.cores': '2' } });
    const listed = await lab('GET', '?status=ACTIVE', serverToken);
    const stopped = await lab('DELETE', `/${made.body.id}`, serverToken);
    // Assess
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ server: 'lab', owner: 'alice', executor: { cores: 2, memoryGb: 14 } });
    expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([made.body.id]);
    expect(stopped.status).toBe(200);
    expect(stopped.body.status).toBe('STOPPED');
  });

  it('refuses the twins without a token (401), with a JWT or for another server’s name (403)', async () => {
    // Act
    const none = await lab('GET', '', null);
    const jwt = await lab('GET', '', t.tokens.alice);
    const other = await lab('GET', '', serverToken, undefined, 'other');
    // Assess
    expect(none.status).toBe(401);
    expect(jwt.status).toBe(403);
    expect(other.status).toBe(403);
  });

  it("answers 404 to another user's session and server, 403 to their listing, and lets an admin see it", async () => {
    // Prepare
    const made = await t.api('POST', '/spark/sessions', t.tokens.alice, { server: 'lab' });
    // Act
    const bobGet = await t.api('GET', `/spark/sessions/${made.body.id}`, t.tokens.bob);
    const bobStop = await t.api('DELETE', `/spark/sessions/${made.body.id}`, t.tokens.bob);
    const bobStart = await t.api('POST', '/spark/sessions', t.tokens.bob, { server: 'lab' });
    const bobList = await t.api('GET', '/spark/sessions?owner=alice', t.tokens.bob);
    const rootGet = await t.api('GET', `/spark/sessions/${made.body.id}`, t.tokens.root);
    const rootAll = await t.api('GET', '/spark/sessions?owner=*', t.tokens.root);
    const rootStop = await t.api('DELETE', `/spark/sessions/${made.body.id}`, t.tokens.root);
    // Assess
    expect([bobGet.status, bobStop.status, bobStart.status, bobList.status]).toEqual([404, 404, 404, 403]);
    expect(rootGet.status).toBe(200);
    expect(rootAll.body.items.map((s: { id: string }) => s.id)).toContain(made.body.id);
    expect(rootStop.body.status).toBe('STOPPED');
  });

  it('answers 400 with messages that say what to fix', async () => {
    // Act
    const conf = await t.api('POST', '/spark/preview', t.tokens.alice, { conf: { 'executor.memory': '4g' } });
    const value = await t.api('POST', '/spark/preview', t.tokens.alice, { conf: { 'spark.executor.cores': 4 } });
    const pool = await t.api('POST', '/spark/preview', t.tokens.alice, { pool: 'Gold Pool' });
    const unknownPool = await t.api('POST', '/spark/preview', t.tokens.alice, { pool: 'gold' });
    const name = await t.api('POST', '/spark/sessions', t.tokens.alice, { server: 'lab', appName: 'x'.repeat(101) });
    const noServer = await t.api('POST', '/spark/sessions', t.tokens.alice, {});
    // Assess
    expect(conf.status).toBe(400);
    expect(conf.text).toMatch(/'executor\.memory' is not a Spark option/);
    expect(value.status).toBe(400);
    expect(pool.status).toBe(400);
    expect(pool.text).toMatch(/slug/);
    expect(unknownPool.status).toBe(400);
    expect(unknownPool.text).toMatch(/unknown Spark pool 'gold'; valid: batch/);
    expect(name.status).toBe(400);
    expect(name.text).toMatch(/appName must be at most 100 characters/);
    expect(noServer.status).toBe(400);
  });

  it('answers 409 on a stopped server, and ends the sessions of a server that stops', async () => {
    // Prepare
    const launch = await t.api('POST', '/servers', t.tokens.alice, { name: 'brief', profile: 'pyspark' });
    await waitForServer(t, 'brief', t.tokens.alice, ['RUNNING', 'FAILED']);
    const made = await t.api('POST', '/spark/sessions', t.tokens.alice, { server: 'brief' });
    // Act
    await t.api('DELETE', '/servers/brief', t.tokens.alice);
    const after = await t.api('GET', `/spark/sessions/${made.body.id}`, t.tokens.alice);
    const refused = await t.api('POST', '/spark/sessions', t.tokens.alice, { server: 'brief' });
    const twin = await lab('POST', '', launch.body.token, {}, 'brief');
    // Assess
    expect(made.status, made.text).toBe(201);
    expect(after.body).toMatchObject({ status: 'STOPPED', stopReason: 'server-ended' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('server_not_running');
    expect(twin.status).toBe(403);
  }, 120_000);
});
