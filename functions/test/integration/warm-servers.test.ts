import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverIdFor } from '../../src/domain/server.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { eventually, jupyterServerAvailable, serverProcesses, waitForServer } from '../support/servers.ts';

const WARM = 2;

const environOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
};
const commandOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ');
  } catch {
    return '';
  }
};
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));

/** The pid of the Jupyter serving a local server: its runtime file (jpserver-<pid>.json) says. */
const jupyterPid = (home: string, serverId: string): number => {
  const runtime = join(home, 'servers', serverId, 'runtime');
  const file = readdirSync(runtime).find((f) => /^jpserver-\d+\.json$/.test(f));
  if (!file) throw new Error(`no jpserver runtime file in ${runtime}`);
  return Number(/\d+/.exec(file)![0]);
};

/** The warm servers of this platform waiting for a launch (their marker is in the environment they started with). */
const waitingWarmServers = (home: string): number[] =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      const env = environOf(pid);
      return env.includes(`ORRERY_SERVERS_DIR=${join(home, 'servers')}\0`) && env.includes('ORRERY_WARM_SERVER=');
    });

describe.skipIf(!jupyterServerAvailable())('warm Jupyter servers in local mode', () => {
  let t: TestPlatform;
  let closed = false;

  beforeAll(async () => {
    t = await startTestPlatform(mkdtempSync(join(tmpdir(), 'orrery-warm-servers-')), {
      ORRERY_WARM_SERVERS: String(WARM),
      ORRERY_SERVER_LIMIT: '4',
      ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
    });
    await eventually(async () => t.platform.servers.readyWarmServers() === WARM, 'the warm servers', 60_000);
  }, 90_000);

  afterAll(async () => {
    if (!closed) await t?.close();
  });

  it('launches into a warm server, which serves the launch with its token, folder and variables', async () => {
    // Prepare
    const serverId = serverIdFor('amir', 'warm');
    // Act
    const launch = await t.api('POST', '/servers', t.tokens.amir, { name: 'warm' });
    const server = await waitForServer(t, 'warm', t.tokens.amir, ['RUNNING', 'FAILED']);
    const token = launch.body.token as string;
    const contents = await fetch(`${server.url}api/contents`, { headers: { authorization: `token ${token}` } });
    const refused = await fetch(`${server.url}api/contents`);
    const kernel = await fetch(`${server.url}api/kernels`, {
      method: 'POST',
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const pid = jupyterPid(t.home, serverId);
    const kernels = await eventually(
      async () => serverProcesses(t.home, serverId).filter((p) => commandOf(p).includes('ipykernel')),
      'the kernel process',
      30_000,
    );
    // Assess: the process that serves was started ahead (its first environment has the warm marker)
    expect(server.status, server.reason).toBe('RUNNING');
    expect(commandOf(pid)).toContain('warm_server.py');
    expect(environOf(pid)).toContain('ORRERY_WARM_SERVER=');
    expect(contents.status).toBe(200);
    expect(refused.status).toBe(403);
    expect(kernel.status).toBe(201);
    // …and its kernel got the launch's variables, as a cold start's would, and nothing of the wait
    const env = environOf(kernels[0]!);
    expect(env).toContain(`ORRERY_SERVER_ID=${serverId}\0`);
    expect(env).toContain(`JUPYTER_RUNTIME_DIR=${join(t.home, 'servers', serverId, 'runtime')}\0`);
    expect(env).toMatch(/AWS_CONTAINER_CREDENTIALS_FULL_URI=http:\/\/127\.0\.0\.1:\d+\/credentials\0/);
    expect(env).toContain(`JUPYTER_TOKEN=${token}\0`);
    expect(env).not.toContain('ORRERY_WARM_SERVER=');
  }, 90_000);

  it('starts a fresh warm server behind a taken one, and a stop ends the taken one with its kernels', async () => {
    // Prepare
    const serverId = serverIdFor('amir', 'warm');
    const pid = jupyterPid(t.home, serverId);
    const kernels = serverProcesses(t.home, serverId);
    // Act
    await eventually(async () => t.platform.servers.readyWarmServers() === WARM, 'a refilled pool', 60_000);
    const stop = await t.api('DELETE', '/servers/warm', t.tokens.amir);
    // Assess
    expect(stop.body.status).toBe('STOPPED');
    expect(alive(pid)).toBe(false);
    await eventually(async () => serverProcesses(t.home, serverId).length === 0, 'the kernels gone');
    expect(kernels.filter(alive)).toEqual([]);
  }, 90_000);

  it('starts a launch cold when no warm server is ready, and both launches serve', async () => {
    // Prepare: more launches at once than the pool holds
    const names = Array.from({ length: WARM + 1 }, (_, i) => `burst-${i}`);
    // Act
    await Promise.all(names.map((name) => t.api('POST', '/servers', t.tokens.amir, { name })));
    const servers = await Promise.all(names.map((n) => waitForServer(t, n, t.tokens.amir, ['RUNNING', 'FAILED'])));
    const commands = names.map((n) => commandOf(jupyterPid(t.home, serverIdFor('amir', n))));
    // Assess
    for (const s of servers) expect(s.status, s.reason).toBe('RUNNING');
    expect(commands.filter((c) => c.includes('warm_server.py'))).toHaveLength(WARM);
    expect(commands.filter((c) => c.includes('-m jupyter_server'))).toHaveLength(1);
    for (const name of names) await t.api('DELETE', `/servers/${name}`, t.tokens.amir);
  }, 120_000);

  it('ends the warm servers no launch took when the platform closes', async () => {
    // Prepare
    await eventually(async () => t.platform.servers.readyWarmServers() === WARM, 'a full pool', 60_000);
    const waiting = waitingWarmServers(t.home);
    // Act
    await t.close();
    closed = true;
    // Assess
    expect(waiting.length).toBeGreaterThanOrEqual(WARM);
    expect(waiting.filter(alive)).toEqual([]);
  }, 60_000);
});
