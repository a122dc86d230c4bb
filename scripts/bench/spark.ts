// Spark sessions (issue 15), measured three ways:
// 1. The sizing rules alone: `sizeSpark` calls per second on four representative requests (the defaults, cores
//    only, blocked options, 50 user conf keys), in this process.
// 2. POST /spark/preview through the local API: latency p50/p99 over N requests from a few concurrent clients.
// 3. On one local server launched through the API (POST /servers, polled until RUNNING): GET /spark/sessions?server=
//    with K sessions of that server stored, then create → delete (POST /spark/sessions, DELETE /spark/sessions/{id})
//    one after another N times, p50/p99 of each; then the server is stopped (which ends its ACTIVE sessions, timed).
//    The list is one Query with a Limit (a page) whatever K; K was the figure to watch when it read every session.
// The platform runs in a child process with its own ORRERY_HOME, as `npm start` runs it but without the JupyterLab
// build (the bench opens no /lab, and a build from here would install lab/'s packages). Prints the figures plainly,
// then one JSON line. Usage:
//   npm run bench:spark [-- --sizing-ms 1000 --previews 2000 --clients 4 --sessions 200 --stored 10,100,400
//                          --lists 200]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { dataPaths } from '../../functions/src/adapters/local/data-folder.ts';
import { LocalIssuer } from '../../functions/src/adapters/local/local-issuer.ts';
import { UserDirectory } from '../../functions/src/adapters/local/user-directory.ts';
import { DEFAULT_SPARK_POOLS } from '../../functions/src/config/spark-pools.ts';
import type { SparkRequest } from '../../functions/src/domain/spark-session.ts';
import { DEFAULT_SPARK_RULES, sizeSpark } from '../../functions/src/domain/spark-sizing.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SELF = resolve(import.meta.filename);
// Set in the child this script starts: it then runs the platform and nothing else.
const CHILD_FLAG = 'ORRERY_BENCH_SPARK_PLATFORM';
const SERVER = 'bench';
const MIN = 60_000;
// Sessions created and deleted before anything is timed; they stay stored, STOPPED.
const WARMUP = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const round2 = (n: number) => Number(n.toFixed(2));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** p50 and p99 of a list of milliseconds, for the JSON line and for the plain line. */
const stats = (latencies: number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  return {
    json: { n: sorted.length, p50Ms: round2(p50), p99Ms: round2(p99), maxMs: round2(sorted.at(-1) ?? Number.NaN) },
    text: `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms)`,
  };
};

// ---------------------------------------------------------------------------------------------------------------
// The child: the local platform, as scripts/local/start.ts starts it but without the JupyterLab build.

const runPlatform = async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { readLocalSettings } = await import('../../functions/src/config/local-variables.ts');
  const { startLocalPlatform } = await import('../../functions/src/handlers/local/local-platform.ts');
  const { home, port } = readLocalSettings(process.env);
  const platform = await startLocalPlatform({ home, port, env: process.env });
  console.log(JSON.stringify({ apiUrl: platform.apiUrl }));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await platform.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
};

// ---------------------------------------------------------------------------------------------------------------
// The bench.

const options = () => {
  const { values } = parseArgs({
    options: {
      'sizing-ms': { type: 'string', default: '1000' },
      previews: { type: 'string', default: '2000' },
      clients: { type: 'string', default: '4' },
      sessions: { type: 'string', default: '200' },
      stored: { type: 'string', default: '10,100,400' },
      lists: { type: 'string', default: '200' },
    },
  });
  const stored = values.stored
    .split(',')
    .map(Number)
    .sort((a, b) => a - b);
  const o = {
    sizingMs: Number(values['sizing-ms']),
    previews: Number(values.previews),
    clients: Number(values.clients),
    sessions: Number(values.sessions),
    stored,
    lists: Number(values.lists),
  };
  const bad = Object.entries(o).filter(([, v]) =>
    (Array.isArray(v) ? v : [v]).some((n) => !Number.isSafeInteger(n) || n < 1),
  );
  if (bad.length) throw new Error(`whole numbers of at least 1, please: ${bad.map(([k]) => k).join(', ')}`);
  return o;
};

const conf = (entries: number, prefix: string) =>
  Object.fromEntries(Array.from({ length: entries }, (_, i) => [`spark.${prefix}.option${i}`, `value-${i}`]));

/** The representative requests: as the API would pass them to the sizing rules (and, less `interactive`, POST). */
const REQUESTS: { label: string; request: SparkRequest }[] = [
  { label: 'defaults', request: { conf: {}, interactive: true } },
  { label: 'cores only', request: { conf: { 'spark.executor.cores': '8' }, interactive: true } },
  {
    label: 'blocked options',
    request: {
      appName: 'etl-nightly',
      conf: {
        'spark.master': 'k8s://https://example.com',
        'spark.app.id': 'mine',
        'spark.ui.port': '4041',
        'spark.executorEnv.AWS_ACCESS_KEY_ID': 'AKIAEXAMPLE',
        'spark.executorEnv.AWS_SECRET_ACCESS_KEY': 'secret',
        'spark.kubernetes.authenticate.driver.serviceAccountName': 'admin',
        'spark.kubernetes.node.selector.pool': 'gpu',
        'spark.kubernetes.container.image': 'docker.io/me/spark:latest',
        'spark.driver.host': '10.0.0.1',
        'spark.executor.memory': '16g',
        'spark.sql.adaptive.enabled': 'true',
      },
      interactive: true,
    },
  },
  {
    label: '50 user conf keys',
    request: {
      pool: 'spot',
      conf: { ...conf(48, 'sql.custom'), 'spark.executor.cores': '4', 'spark.executor.instances': '6' },
      interactive: true,
    },
  },
];

/** Part 1: sizeSpark in a tight loop per request, for about `ms` each (after a warm-up). */
const benchSizing = (ms: number) => {
  const out: Record<string, number> = {};
  let sink = 0;
  for (const { label, request } of REQUESTS) {
    for (let i = 0; i < 2000; i += 1)
      sink += sizeSpark(request, DEFAULT_SPARK_POOLS, DEFAULT_SPARK_RULES).warnings.length;
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      for (let i = 0; i < 500; i += 1)
        sink += sizeSpark(request, DEFAULT_SPARK_POOLS, DEFAULT_SPARK_RULES).warnings.length;
      calls += 500;
      elapsed = performance.now() - start;
    }
    const sizing = sizeSpark(request, DEFAULT_SPARK_POOLS, DEFAULT_SPARK_RULES);
    out[label] = Math.round(calls / (elapsed / 1000));
    console.log(
      `sizeSpark, ${label} (${Object.keys(request.conf).length} conf keys in, ` +
        `${Object.keys(sizing.conf).length} out, ` +
        `${sizing.blocked.length} blocked): ${out[label].toLocaleString('en')} calls/s ` +
        `(${((elapsed * 1000) / calls).toFixed(2)} µs a call)`,
    );
  }
  if (sink < 0) console.log(sink); // keeps the results alive
  return out;
};

const freePort = () =>
  new Promise<number>((res) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => res(port));
    });
  });

const stopChild = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
};

/** This script again, as the platform, with its own ORRERY_HOME; resolves with the API's address once it answers. */
const startPlatform = async (home: string) => {
  const port = await freePort();
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', SELF], {
    cwd: ROOT,
    env: { ...process.env, [CHILD_FLAG]: '1', PORT: String(port), ORRERY_HOME: home, ORRERY_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await Promise.race([
    new Promise<string>((res) => createInterface({ input: child.stdout! }).once('line', res)),
    new Promise<never>((_, rej) => child.once('exit', (code) => rej(new Error(`the platform exited ${code}`)))),
    sleep(MIN).then(() => Promise.reject(new Error('the platform did not start within a minute'))),
  ]).catch(async (err) => {
    await stopChild(child);
    throw err;
  });
  return { child, api: (JSON.parse(line) as { apiUrl: string }).apiUrl };
};

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown; ms: number }>;

const caller =
  (api: string, token: string): Call =>
  async (method, path, body) => {
    const start = performance.now();
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const ms = performance.now() - start;
    return { status: res.status, body: text ? JSON.parse(text) : null, ms };
  };

const expect = (what: string, r: { status: number; body: unknown }, status: number) => {
  if (r.status !== status) throw new Error(`${what} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 400)}`);
};

/** The preview bodies: the representative requests as JSON (the API sets `interactive` itself). */
const previewBodies = REQUESTS.map(({ request: { interactive: _, ...body } }) => body);

/** Part 2: `n` POST /spark/preview from `clients` concurrent clients, cycling through the four bodies. */
const benchPreview = async (call: Call, n: number, clients: number) => {
  for (const body of previewBodies)
    expect('POST /spark/preview (warm-up)', await call('POST', '/spark/preview', body), 200);
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) {
        const i = next++;
        const r = await call('POST', '/spark/preview', previewBodies[i % previewBodies.length]);
        latencies.push(r.ms);
        if (r.status !== 200) failures += 1;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const s = stats(latencies);
  console.log(
    `POST /spark/preview: ${n} requests, ${clients} clients: ${s.text}, ${Math.round(n / seconds)} previews/s, ` +
      `${failures} failed`,
  );
  return { ...s.json, clients, perSecond: Math.round(n / seconds), failures };
};

/** POST /servers, then GET every 50 ms until RUNNING: the milliseconds between. */
const launch = async (call: Call) => {
  const start = performance.now();
  expect('POST /servers', await call('POST', '/servers', { name: SERVER, profile: 'pyspark' }), 202);
  for (;;) {
    const s = (await call('GET', `/servers/${SERVER}`)).body as { status: string; reason?: string };
    if (s.status === 'RUNNING') return performance.now() - start;
    if (s.status !== 'PENDING' || performance.now() - start > 2 * MIN)
      throw new Error(`server ${SERVER} is ${s.status}: ${s.reason ?? 'still not RUNNING after 2 min'}`);
    await sleep(50);
  }
};

const createSession = async (call: Call) => {
  const r = await call('POST', '/spark/sessions', { server: SERVER, appName: 'bench' });
  expect('POST /spark/sessions', r, 201);
  return { id: (r.body as { id: string }).id, ms: r.ms };
};

/**
 * Part 3a: GET /spark/sessions?server= with K of the server's sessions stored: the warm-up's STOPPED ones and as
 * many ACTIVE ones as it takes, created here (the server's stop ends them at the close).
 */
const benchList = async (call: Call, ks: number[], lists: number) => {
  const out: Record<string, unknown>[] = [];
  let active = 0;
  for (const k of ks) {
    while (WARMUP + active < k) {
      await createSession(call);
      active += 1;
    }
    const stored = WARMUP + active;
    const latencies: number[] = [];
    let items = 0;
    for (let i = 0; i < lists; i += 1) {
      const r = await call('GET', `/spark/sessions?server=${SERVER}`);
      expect('GET /spark/sessions', r, 200);
      latencies.push(r.ms);
      items = (r.body as { items: unknown[] }).items.length;
    }
    const s = stats(latencies);
    console.log(
      `GET /spark/sessions?server=${SERVER} with ${stored} stored (${active} ACTIVE; ${items} on the page), ` +
        `${lists} requests: ${s.text}`,
    );
    out.push({ stored, active, pageItems: items, ...s.json });
  }
  return { figures: out, active };
};

/** Part 3b: create then delete, one after another, `n` times. */
const benchCreateDelete = async (call: Call, n: number) => {
  const creates: number[] = [];
  const deletes: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const { id, ms } = await createSession(call);
    creates.push(ms);
    const r = await call('DELETE', `/spark/sessions/${id}`);
    expect('DELETE /spark/sessions/{id}', r, 200);
    if ((r.body as { status: string }).status !== 'STOPPED') throw new Error(`session ${id} did not stop`);
    deletes.push(r.ms);
  }
  const c = stats(creates);
  const d = stats(deletes);
  console.log(`POST /spark/sessions, ${n} one after another: ${c.text}`);
  console.log(`DELETE /spark/sessions/{id}, ${n} one after another: ${d.text}`);
  return { create: c.json, delete: d.json };
};

const bench = async () => {
  const o = options();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const before = load();
  console.log(`machine: ${cpus().length} cores, load average ${before}`);
  const figures: Record<string, unknown> = { options: o };
  figures.sizingCallsPerSecond = benchSizing(o.sizingMs);

  const home = mkdtempSync(join(tmpdir(), 'orrery-bench-spark-'));
  const { child, api } = await startPlatform(home);
  try {
    const paths = dataPaths(home);
    const users = new UserDirectory(paths.users, paths.loginCodes, await LocalIssuer.open(paths.secrets));
    users.upsert('bench', { teams: ['bench'], admin: false, name: 'Bench' });
    const call = caller(api, await users.tokenFor('bench'));
    figures.preview = await benchPreview(call, o.previews, o.clients);

    const launchMs = await launch(call);
    console.log(`server ${SERVER}: RUNNING ${launchMs.toFixed(0)} ms after POST /servers`);
    figures.launchMs = Math.round(launchMs);
    // Warm-up (the first writes load the session store's paths): not part of the figures, and no longer stored
    // ACTIVE; they stay as STOPPED records of the server, counted below.
    for (let i = 0; i < WARMUP; i += 1) {
      const { id } = await createSession(call);
      expect('DELETE (warm-up)', await call('DELETE', `/spark/sessions/${id}`), 200);
    }
    const list = await benchList(call, o.stored, o.lists);
    figures.list = list.figures;
    figures.sessions = await benchCreateDelete(call, o.sessions);

    // The server's stop ends its ACTIVE sessions (those of the list bench): timed, then checked.
    const stop = await call('DELETE', `/servers/${SERVER}`);
    expect('DELETE /servers', stop, 200);
    const left = await call('GET', `/spark/sessions?server=${SERVER}&status=ACTIVE`);
    expect('GET /spark/sessions?status=ACTIVE', left, 200);
    const stillActive = (left.body as { items: unknown[] }).items.length;
    console.log(
      `DELETE /servers/${SERVER} with ${list.active} ACTIVE sessions: ${stop.ms.toFixed(0)} ms; ` +
        `${stillActive} ACTIVE after (of ${WARMUP + list.active + o.sessions} stored)`,
    );
    if (stillActive !== 0) throw new Error(`${stillActive} sessions still ACTIVE after the server stopped`);
    figures.stopServer = { ms: Math.round(stop.ms), activeSessions: list.active };
  } finally {
    await stopChild(child);
    rmSync(home, { recursive: true, force: true });
  }
  figures.load = { before, after: load() };
  console.log(`load average after: ${load()}`);
  console.log(JSON.stringify(figures));
};

if (process.env[CHILD_FLAG] === '1') await runPlatform();
else await bench();
