import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { serverIdFor } from '../../src/domain/server.ts';
import { cullIdle } from '../../src/use-cases/cull-idle.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import {
  eventually,
  jupyterServerAvailable,
  readProgress,
  serverProcesses,
  waitForServer,
} from '../support/servers.ts';

const PROFILES = `
- slug: small
  displayName: Small
  pool: { kind: cpu-on-demand }
  image: orrery/notebook-server:local
  allowedImages: [orrery/notebook-server:spark]
  cpu: { request: "1", min: 500m, limit: "2" }
  memory: { request: 2Gi, min: 1Gi, limit: 4Gi }
  idleTimeoutSeconds: 3600
  maxAgeSeconds: 43200
  hourlyPrice: 0.05
  teams: ["*"]
- slug: ads-gpu
  displayName: Ads GPU
  pool: { kind: gpu, tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }] }
  image: orrery/notebook-server:cuda
  cpu: { request: "4" }
  memory: { request: 16Gi }
  gpus: 1
  idleTimeoutSeconds: 1800
  maxAgeSeconds: 28800
  hourlyPrice: 0.53
  teams: [ads]
`;

const ENV = {
  ORRERY_SERVER_LIMIT: '2',
  ORRERY_ACTIVITY_INTERVAL: '0.5',
  ORRERY_PROGRESS_WAIT_MS: '2000',
  ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
};

/** A platform with the two profiles above, in a fresh data folder. */
const startServersPlatform = async () => {
  const home = mkdtempSync(join(tmpdir(), 'orrery-servers-'));
  writeFileSync(join(home, 'profiles.yaml'), PROFILES);
  return startTestPlatform(home, { ORRERY_PROFILES_FILE: join(home, 'profiles.yaml'), ...ENV });
};

/** Launches a server and waits until it runs: each test launches its own, so none depends on another's. */
const launchRunning = async (platform: TestPlatform, token: string, name: string, body: object = {}) => {
  const launch = await platform.api('POST', '/servers', token, { name, ...body });
  const server = await waitForServer(platform, name, token, ['RUNNING', 'FAILED']);
  expect(server.status, server.reason).toBe('RUNNING');
  return { launch, server, token: launch.body.token as string };
};

/** Stops a server a test launched, so no test finds another's still running or counting against a limit. */
const stopServer = async (platform: TestPlatform, token: string, name: string): Promise<void> => {
  await platform.api('DELETE', `/servers/${name}`, token);
};

const isJupyter = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('jupyter_server');
  } catch {
    return false;
  }
};

describe.skipIf(!jupyterServerAvailable())('notebook servers as real jupyter server processes', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startServersPlatform();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('launches a server, streams its spawn progress and serves Jupyter at the recorded URL with the token', async () => {
    // Act
    const launch = await t.api('POST', '/servers', t.tokens.alice, {
      name: 'dev',
      overrides: { cpu: '1500m', memory: '3Gi', image: 'orrery/notebook-server:spark' },
    });
    onTestFinished(() => stopServer(t, t.tokens.alice, 'dev'));
    const first = await readProgress(t, 'dev', t.tokens.alice);
    const server = await waitForServer(t, 'dev', t.tokens.alice, ['RUNNING', 'FAILED']);
    const rest = await readProgress(t, 'dev', t.tokens.alice, first.events.at(-1)!.id);
    // Assess
    expect(launch.status).toBe(202);
    expect(launch.body.server).toMatchObject({
      name: 'dev',
      status: 'PENDING',
      profile: 'small',
      hourlyPrice: 0.05,
      image: 'orrery/notebook-server:spark',
      resources: { cpuRequest: '1500m', memoryRequest: '3Gi', cpuLimit: '2', memoryLimit: '4Gi' },
    });
    expect(launch.body.token).toMatch(/^osv1\./);
    expect(JSON.stringify(server)).not.toContain(launch.body.token);
    expect(first.contentType).toMatch(/^text\/event-stream/);
    expect(first.events[0]).toMatchObject({ id: 1, progress: 10, message: 'Server requested' });
    expect(server.status, server.reason).toBe('RUNNING');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/user\/alice\/dev\/$/);
    const all = [...first.events, ...rest.events];
    expect(all.map((e) => e.id)).toEqual([...new Set(all.map((e) => e.id))].sort((a, b) => a - b));
    expect(all.at(-1)).toMatchObject({ progress: 100, ready: true, url: server.url });
    const withToken = { headers: { authorization: `token ${launch.body.token}` } };
    expect((await fetch(`${server.url}api/status`, withToken)).status).toBe(200);
    expect((await fetch(`${server.url}api/status`)).status).toBe(403);
  });

  it('starts a server, whose kernels inherit its environment, with none of the platform’s keys or settings', async () => {
    // Prepare: what a developer's shell may hold when they start the platform.
    const planted = {
      AWS_ACCESS_KEY_ID: 'AKIAPLANTED',
      AWS_SECRET_ACCESS_KEY: 'planted-aws-secret',
      AWS_SESSION_TOKEN: 'planted-session',
      ORRERY_CURSOR_SECRET: 'planted-cursor-secret-0123456789',
    };
    const before = Object.fromEntries(Object.keys(planted).map((k) => [k, process.env[k]]));
    Object.assign(process.env, planted);
    const cursorSecret = JSON.parse(readFileSync(join(t.home, 'secrets.json'), 'utf8')).cursorSecret as string;
    try {
      // Act
      await t.api('POST', '/servers', t.tokens.amir, { name: 'envcheck' });
      const server = await waitForServer(t, 'envcheck', t.tokens.amir, ['RUNNING', 'FAILED']);
      const environments = serverProcesses(t.home, serverIdFor('amir', 'envcheck')).map((pid) =>
        readFileSync(`/proc/${pid}/environ`, 'latin1'),
      );
      // Assess
      expect(server.status, server.reason).toBe('RUNNING');
      expect(environments.length).toBeGreaterThan(0);
      for (const env of environments) {
        expect(env).toContain('PATH=');
        for (const secret of [...Object.values(planted), cursorSecret]) expect(env).not.toContain(secret);
      }
    } finally {
      for (const [k, v] of Object.entries(before)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await t.api('DELETE', '/servers/envcheck', t.tokens.amir);
    }
  });

  it('takes activity from the server’s reporter: its own polling is not activity, a user’s request is', async () => {
    // Prepare
    const { server: before, token } = await launchRunning(t, t.tokens.alice, 'watched');
    onTestFinished(() => stopServer(t, t.tokens.alice, 'watched'));
    await new Promise((r) => setTimeout(r, 2000));
    const quiet = (await t.api('GET', '/servers/watched', t.tokens.alice)).body.lastActivity;
    // Act
    const touchedAt = Date.now();
    const touched = await fetch(`${before.url}api/contents`, { headers: { authorization: `token ${token}` } });
    expect(touched.status).toBe(200);
    const moved = await eventually(async () => {
      const s = (await t.api('GET', '/servers/watched', t.tokens.alice)).body;
      return Date.parse(s.lastActivity) >= touchedAt - 50 ? s : null;
    }, 'the user request to show up as activity');
    // Assess
    expect(quiet).toBe(before.lastActivity);
    expect(Date.parse(moved.lastActivity)).toBeLessThanOrEqual(Date.now());
  });

  it('refuses activity reports with another server’s token, without a token, or for a stopped server', async () => {
    // Prepare
    await launchRunning(t, t.tokens.alice, 'reported');
    onTestFinished(() => stopServer(t, t.tokens.alice, 'reported'));
    const { launch: other } = await launchRunning(t, t.tokens.alice, 'other');
    onTestFinished(() => stopServer(t, t.tokens.alice, 'other'));
    const report = { kernels: [{ executionState: 'busy' }] };
    const post = (name: string, token?: string) =>
      fetch(`${t.platform.apiUrl}/servers/${name}/activity`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `token ${token}` } : {}) },
        body: JSON.stringify(report),
      });
    // Act
    const wrongServer = await post('reported', other.body.token);
    const none = await post('reported');
    const userJwt = await post('reported', t.tokens.alice);
    const own = await post('other', other.body.token);
    await t.api('DELETE', '/servers/other', t.tokens.alice);
    const afterStop = await post('other', other.body.token);
    // Assess
    expect(wrongServer.status).toBe(403);
    expect(none.status).toBe(401);
    expect(userJwt.status).toBe(401);
    expect(own.status).toBe(200);
    expect(afterStop.status).toBe(409);
    expect((await afterStop.json()).message).toMatch(/STOPPED/);
  });

  it('keeps other people out of a server, lets an admin see and stop it, and needs a token', async () => {
    // Prepare
    await launchRunning(t, t.tokens.alice, 'guarded');
    onTestFinished(() => stopServer(t, t.tokens.alice, 'guarded'));
    // Act
    const bob = await t.api('GET', '/servers/guarded', t.tokens.bob);
    const bobStops = await t.api('DELETE', '/servers/guarded', t.tokens.bob);
    const bobNamesOwner = await t.api('GET', '/servers/guarded?owner=alice', t.tokens.bob);
    const bobList = await t.api('GET', '/servers?owner=alice', t.tokens.bob);
    const root = await t.api('GET', '/servers/guarded?owner=alice', t.tokens.root);
    const anonymous = await t.api('GET', '/servers/guarded');
    const progress = await readProgress(t, 'guarded', t.tokens.bob);
    // Assess
    expect([bob.status, bobStops.status, bobNamesOwner.status]).toEqual([404, 404, 404]);
    expect(bobList.body.items).toEqual([]);
    expect(root.status).toBe(200);
    expect(root.body.status).toBe('RUNNING');
    expect(anonymous.status).toBe(401);
    expect(progress.status).toBe(404);
  });

  it('refuses bad launches with a 400 or 409 that says what to fix, and records nothing', async () => {
    // Prepare
    await launchRunning(t, t.tokens.alice, 'taken');
    onTestFinished(() => stopServer(t, t.tokens.alice, 'taken'));
    // Act
    const cases = {
      notSlug: await t.api('POST', '/servers', t.tokens.alice, { name: 'My Server' }),
      unknownProfile: await t.api('POST', '/servers', t.tokens.alice, { name: 'x1', profile: 'huge' }),
      otherTeamsProfile: await t.api('POST', '/servers', t.tokens.bob, { name: 'x2', profile: 'ads-gpu' }),
      cpuTooHigh: await t.api('POST', '/servers', t.tokens.alice, { name: 'x3', overrides: { cpu: 3 } }),
      memoryJunk: await t.api('POST', '/servers', t.tokens.alice, { name: 'x4', overrides: { memory: 'lots' } }),
      imageNotAllowed: await t.api('POST', '/servers', t.tokens.alice, {
        name: 'x5',
        overrides: { image: 'evil/miner:latest' },
      }),
      extraField: await t.api('POST', '/servers', t.tokens.alice, { name: 'x6', privileged: true }),
      sameName: await t.api('POST', '/servers', t.tokens.alice, { name: 'taken' }),
    };
    const listed = [await t.api('GET', '/servers', t.tokens.alice), await t.api('GET', '/servers', t.tokens.bob)];
    // Assess
    for (const [what, res] of Object.entries(cases)) expect(res.status, what).toBe(what === 'sameName' ? 409 : 400);
    expect(cases.unknownProfile.body.message).toMatch(/valid: small, ads-gpu/);
    expect(cases.otherTeamsProfile.body.message).toMatch(/valid: small$/);
    expect(cases.cpuTooHigh.body.message).toMatch(/between 500m and 2/);
    expect(cases.imageNotAllowed.body.message).toMatch(/orrery\/notebook-server:local, orrery\/notebook-server:spark/);
    const names: string[] = listed.flatMap((res) => res.body.items.map((s: { name: string }) => s.name));
    const refused = ['My Server', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6'];
    expect(names.filter((name) => refused.includes(name))).toEqual([]);
    expect(names.filter((name) => name === 'taken')).toEqual(['taken']);
  });

  it('shows each user only the profiles their teams may use', async () => {
    // Act
    const bob = await t.api('GET', '/profiles', t.tokens.bob);
    const amir = await t.api('GET', '/profiles', t.tokens.amir);
    // Assess
    expect(bob.body.items.map((p: { slug: string }) => p.slug)).toEqual(['small']);
    expect(amir.body.items.map((p: { slug: string }) => p.slug)).toEqual(['small', 'ads-gpu']);
    expect(amir.body.items[1]).toMatchObject({
      pool: 'gpu',
      gpus: 1,
      hourlyPrice: 0.53,
      cpu: { request: '4', limit: '4' },
      memory: { request: '16Gi' },
    });
    expect((await t.api('GET', '/me', t.tokens.bob)).body.entitlements.profiles).toEqual(['small']);
  });

  it('answers 409 past the per-user limit and names the servers to stop', async () => {
    // Prepare
    for (const name of ['first', 'second']) {
      await t.api('POST', '/servers', t.tokens.alice, { name });
      onTestFinished(() => stopServer(t, t.tokens.alice, name));
    }
    // Act
    const third = await t.api('POST', '/servers', t.tokens.alice, { name: 'third' });
    // Assess
    expect(third.status).toBe(409);
    expect(third.body.error).toBe('server_limit');
    expect(third.body.message).toMatch(/first/);
    expect(third.body.message).toMatch(/second/);
  });

  it('marks a server FAILED when its Jupyter process dies by itself, and leaves nothing running', async () => {
    // Prepare
    await t.api('POST', '/servers', t.tokens.amir, { name: 'fragile' });
    await waitForServer(t, 'fragile', t.tokens.amir, ['RUNNING']);
    const id = serverIdFor('amir', 'fragile');
    const jupyter = serverProcesses(t.home, id).find(isJupyter)!;
    // Act
    process.kill(jupyter, 'SIGKILL');
    const failed = await waitForServer(t, 'fragile', t.tokens.amir, ['FAILED', 'STOPPED'], 20_000);
    // Assess
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toMatch(/jupyter server exited on SIGKILL/);
    await eventually(async () => serverProcesses(t.home, id).length === 0, 'the reporter to go');
  });

  it('stops a server: its process tree ends, it is STOPPED, and stopping again is harmless', async () => {
    // Prepare
    const { server } = await launchRunning(t, t.tokens.alice, 'doomed');
    const id = serverIdFor('alice', 'doomed');
    expect(serverProcesses(t.home, id).length).toBeGreaterThan(0);
    // Act
    const stopped = await t.api('DELETE', '/servers/doomed', t.tokens.alice);
    const again = await t.api('DELETE', '/servers/doomed', t.tokens.alice);
    // Assess
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: 'STOPPED', stoppedBy: 'owner' });
    expect(again.body.status).toBe('STOPPED');
    expect(serverProcesses(t.home, id)).toEqual([]);
    await expect(fetch(`${server.url}api`)).rejects.toThrow();
  });
});

// Its own platform: the sweeps run with a clock hours ahead, so they would cull any other test's running server.
describe.skipIf(!jupyterServerAvailable())('the idle culler on real jupyter server processes', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startServersPlatform();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('culls an idle server: warns first, a keepalive buys time, then stops it and logs why', async () => {
    // Prepare
    await t.api('POST', '/servers', t.tokens.amir, { name: 'idle' });
    const running = await waitForServer(t, 'idle', t.tokens.amir, ['RUNNING']);
    const id = serverIdFor('amir', 'idle');
    const at = (seconds: number) => ({
      ...t.platform.deps,
      clock: { now: () => new Date(Date.parse(running.lastActivity) + seconds * 1000) },
    });
    // Act
    const early = await cullIdle(at(60));
    const warned = await cullIdle(at(3600 - 600));
    const warning = (await t.api('GET', '/servers/idle', t.tokens.amir)).body.cullWarning;
    // The keepalive happens now (the platform's real clock): idle again from now, a fresh warning is due, not a stop.
    const kept = await t.api('POST', '/servers/idle/keepalive', t.tokens.amir);
    const afterKeep = await cullIdle(at(3950));
    const stopped = await cullIdle(at(3950 + 900));
    const again = await cullIdle(at(3950 + 1000));
    // Assess
    expect(early).toMatchObject({ stopped: 0, warned: 0 });
    expect(warned).toMatchObject({ warned: 1, stopped: 0 });
    expect(warning).toMatchObject({ reason: 'idle' });
    expect(kept.status).toBe(200);
    expect(kept.body.cullWarning).toBeNull();
    expect(afterKeep).toMatchObject({ warned: 1, stopped: 0 });
    expect(stopped.stopped).toBe(1);
    expect(again.stopped).toBe(0);
    const server = (await t.api('GET', '/servers/idle', t.tokens.amir)).body;
    expect(server).toMatchObject({ status: 'STOPPED', stoppedBy: 'culler' });
    expect(server.reason).toMatch(/^culled: idle since/);
    expect(serverProcesses(t.home, id)).toEqual([]);
    const culls = await t.api('GET', '/admin/culls', t.tokens.root);
    expect(culls.body.items.filter((c: { name: string }) => c.name === 'idle')).toEqual([
      expect.objectContaining({ owner: 'amir', reason: 'idle', profile: 'small', sparkApplications: [] }),
    ]);
    expect((await t.api('GET', '/admin/culls', t.tokens.amir)).status).toBe(403);
  });
});
