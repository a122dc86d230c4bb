// Launch to ready, Orrery against a bare `jupyter server` started the same way, in the same run: bench:servers part 1.
// A bare start spawns `python3 -m jupyter_server` with the arguments and environment a local server gets (the Orrery
// extension included) and polls its /api every 50 ms; an Orrery launch is POST /servers, then GET /servers/{name}
// every 50 ms until RUNNING. Five one after another, interleaved bare/Orrery, then five bare at once and five Orrery
// at once. Before each timed Orrery step the platform's warm servers (ORRERY_WARM_SERVERS) are all ready.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelEnvironment } from '../../functions/src/adapters/local/kernel-environment.ts';
import { freePorts } from '../../functions/src/adapters/local/local-credentials-sidecar.ts';
import { labServerArgs, labServerEnvironment, serverPythonPath } from '../../functions/src/adapters/local/local-lab.ts';
import { killGroup } from '../../functions/src/adapters/local/process-tree.ts';
import { type LocalPlatform, startLocalPlatform } from '../../functions/src/handlers/local/local-platform.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const NAMES = ['s1', 's2', 's3', 's4', 's5'];
const POLL_MS = 50;
const LIMIT_MS = 120_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

/** A bare `jupyter server` as a local server's is started, until its /api answers; then it is killed. */
const bareStart = async (home: string, python: string, name: string): Promise<number> => {
  const dir = join(home, 'bare', `${name}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(join(dir, 'work'), { recursive: true });
  const [port] = await freePorts(1);
  const basePath = `/user/bench/${name}/`;
  const labDir = join(ROOT, 'lab');
  const pythonPath = serverPythonPath([labDir, join(ROOT, 'images', 'notebook-server')], process.env.PYTHONPATH);
  const spec = { apiUrl: 'http://127.0.0.1:9/api', name, portalUrl: 'http://127.0.0.1:9' };
  const env = kernelEnvironment(process.env, [], {
    JUPYTER_TOKEN: 'bench',
    JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
    ...labServerEnvironment(labDir, spec),
    ...(pythonPath ? { PYTHONPATH: pythonPath } : {}),
  });
  const args = ['-m', 'jupyter_server', '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`];
  args.push('--ServerApp.port_retries=0', `--ServerApp.base_url=${basePath}`, '--ServerApp.open_browser=False');
  args.push(`--ServerApp.root_dir=${join(dir, 'work')}`, ...labServerArgs(dir));
  if (process.getuid?.() === 0) args.push('--ServerApp.allow_root=True');
  const start = performance.now();
  const child = spawn(python, args, { cwd: join(dir, 'work'), env, detached: true, stdio: 'ignore' });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}${basePath}api`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return performance.now() - start;
      if (child.exitCode !== null || performance.now() - start > LIMIT_MS)
        throw new Error(`bare ${name} never answered`);
      await sleep(POLL_MS);
    }
  } finally {
    killGroup(child, 'SIGKILL');
  }
};

/** POST /servers, then GET every 50 ms until RUNNING; the milliseconds between. */
const orreryLaunch = async (api: string, token: string, name: string): Promise<number> => {
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const start = performance.now();
  const res = await call('POST', '/servers', { name });
  if (res.status !== 202) throw new Error(`launch of ${name} answered ${res.status}: ${await res.text()}`);
  for (;;) {
    const s = (await (await call('GET', `/servers/${name}`)).json()) as { status: string; reason?: string };
    if (s.status === 'RUNNING') return performance.now() - start;
    if (s.status !== 'PENDING' || performance.now() - start > LIMIT_MS)
      throw new Error(`server ${name} is ${s.status}: ${s.reason ?? 'still not RUNNING after 2 min'}`);
    await sleep(POLL_MS);
  }
};

/** Stops the servers with DELETE and checks each ended STOPPED. */
const stopAll = async (api: string, token: string) => {
  for (const name of NAMES) {
    const res = await fetch(`${api}/servers/${name}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { status?: string };
    if (res.status !== 200 || body.status !== 'STOPPED')
      throw new Error(`stopping ${name} answered ${res.status} ${JSON.stringify(body)}`);
  }
};

/** Until every warm server the platform keeps is ready (a timed step starts from the pool's steady state). */
const poolFull = async (platform: LocalPlatform, size: number) => {
  const deadline = performance.now() + LIMIT_MS;
  while (platform.servers.readyWarmServers() < size) {
    if (performance.now() > deadline) throw new Error(`only ${platform.servers.readyWarmServers()} of ${size} warm`);
    await sleep(50);
  }
  // A refill's last process has just said ready: let the machine settle before the clock starts.
  await sleep(300);
};

const summary = (xs: number[]) => ({
  ms: xs.map(Math.round),
  medianMs: Math.round(median(xs)),
  minMs: Math.round(Math.min(...xs)),
  maxMs: Math.round(Math.max(...xs)),
});

/** Part 1 of bench:servers: the figures, printed and returned. */
export const benchLaunches = async (warmServers: number): Promise<Record<string, unknown>> => {
  const home = mkdtempSync(join(tmpdir(), 'orrery-bench-servers-'));
  const platform = await startLocalPlatform({
    home,
    port: 0,
    // No warm runners: their start-up would share the CPU with the launches being timed.
    env: {
      ...process.env,
      ORRERY_LOG_LEVEL: 'silent',
      ORRERY_SERVER_LIMIT: '5',
      ORRERY_WARM_RUNNERS: '0',
      ORRERY_WARM_SERVERS: String(warmServers),
    },
  });
  const python = platform.settings.python;
  try {
    platform.users.upsert('bench', { teams: ['bench'], admin: false, name: 'Bench' });
    const token = await platform.users.tokenFor('bench');
    // One of each first, untimed: the first start of anything reads files no later one does.
    await poolFull(platform, warmServers);
    await bareStart(home, python, 'warm-up');
    await orreryLaunch(platform.apiUrl, token, 's1');
    await stopAll(platform.apiUrl, token).catch(() => undefined);
    const bare: number[] = [];
    const orrery: number[] = [];
    for (const name of NAMES) {
      bare.push(await bareStart(home, python, name));
      await poolFull(platform, warmServers);
      orrery.push(await orreryLaunch(platform.apiUrl, token, name));
      console.log(`${name}: bare jupyter server ${ms(bare.at(-1)!)}, Orrery launch ${ms(orrery.at(-1)!)} to RUNNING`);
    }
    await stopAll(platform.apiUrl, token);
    const seqRatio = median(orrery) / median(bare);
    console.log(
      `one after another: bare median ${ms(median(bare))}, Orrery median ${ms(median(orrery))}: ${seqRatio.toFixed(2)}×`,
    );
    const t0 = performance.now();
    const bareAtOnce = await Promise.all(NAMES.map((n) => bareStart(home, python, `${n}-at-once`)));
    const bareWall = performance.now() - t0;
    await poolFull(platform, warmServers);
    const t1 = performance.now();
    const orreryAtOnce = await Promise.all(NAMES.map((n) => orreryLaunch(platform.apiUrl, token, n)));
    const orreryWall = performance.now() - t1;
    await stopAll(platform.apiUrl, token);
    const parRatio = median(orreryAtOnce) / median(bareAtOnce);
    console.log(
      `5 at once: bare median ${ms(median(bareAtOnce))} (all after ${ms(bareWall)}), Orrery median ` +
        `${ms(median(orreryAtOnce))} (all RUNNING after ${ms(orreryWall)}): ${parRatio.toFixed(2)}× ` +
        `[bare ${bareAtOnce.map(Math.round).join(', ')}; Orrery ${orreryAtOnce.map(Math.round).join(', ')}]`,
    );
    return {
      warmServers,
      bare: summary(bare),
      orrery: summary(orrery),
      ratio: Number(seqRatio.toFixed(2)),
      atOnce: {
        bare: { ...summary(bareAtOnce), wallMs: Math.round(bareWall) },
        orrery: { ...summary(orreryAtOnce), wallMs: Math.round(orreryWall) },
        ratio: Number(parRatio.toFixed(2)),
      },
    };
  } finally {
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  }
};
