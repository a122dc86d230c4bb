// Issuing credentials, measured two ways:
// 1. POST /credentials through the local API (`npm start` as a child process) with the real STS adapter against
//    the test STS endpoint (functions/test/support/fake-sts.ts, AWS_ENDPOINT_URL_STS, static keys): latency p50/p99
//    over N requests from a few concurrent clients. The fake STS runs in this process, beside the clients.
// 2. The container-credentials sidecar (`python3 -m orrery_runner.credentials_sidecar`) against a tiny fake API:
//    GET /credentials answers per second with the cache warm (keys with an hour left), from concurrent clients.
// Prints the figures plainly, then one JSON line.
// Usage: npm run bench:credentials [-- --requests 2000 --clients 8 --seconds 10 --sidecar-clients 8]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { dataPaths } from '../../functions/src/adapters/local/data-folder.ts';
import { LocalIssuer } from '../../functions/src/adapters/local/local-issuer.ts';
import { UserDirectory } from '../../functions/src/adapters/local/user-directory.ts';
import { FAKE_STS_CALLER, startFakeSts } from '../../functions/test/support/fake-sts.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    'sidecar-clients': { type: 'string', default: '8' },
  },
});
const REQUESTS = Number(values.requests);
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const SIDECAR_CLIENTS = Number(values['sidecar-clients']);
const ROOT = resolve(import.meta.dirname, '..', '..');
const ROLE = 'bench-analyst';
const ROLES = [
  {
    name: ROLE,
    roleArn: 'arn:aws:iam::123456789012:role/bench-analyst',
    account: 'bench',
    environment: 'dev',
    maxSessionSeconds: 3600,
    teams: ['*'],
  },
];

const freePort = () =>
  new Promise<number>((res) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => res(port));
    });
  });

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const ms = (n: number) => Number(n.toFixed(2));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const stopChild = async (child: ChildProcess, signal: NodeJS.Signals) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
};

/** The local platform as `npm start` runs it, its broker the developer's-credentials chain pointed at the fake STS. */
const startPlatform = async (home: string, stsUrl: string) => {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), ORRERY_HOME: home, ORRERY_LOG_LEVEL: 'silent' };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'])
    delete env[name];
  Object.assign(env, {
    AWS_ENDPOINT_URL_STS: stsUrl,
    AWS_ACCESS_KEY_ID: FAKE_STS_CALLER.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_STS_CALLER.secretAccessKey,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    ORRERY_ROLES: JSON.stringify(ROLES),
  });
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', 'scripts/local/start.ts'], {
    cwd: ROOT,
    env,
    stdio: 'ignore',
  });
  const api = `http://127.0.0.1:${port}/api`;
  for (let i = 0; i < 150; i += 1) {
    const up = await fetch(`${api}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { child, api };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stopChild(child, 'SIGINT');
  throw new Error('the local platform did not answer /healthz within 30 s');
};

/** `requests` POST /credentials from CLIENTS concurrent clients: each request's latency, and the failures. */
const issueLatencies = async (api: string, tokens: string[], requests = REQUESTS) => {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < requests) {
        const i = next++;
        const t = performance.now();
        const res = await fetch(`${api}/credentials`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ role: ROLE }),
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        if (res.status !== 200) failures += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { latencies: latencies.sort((a, b) => a - b), failures, seconds };
};

/** A stand-in for the API's POST /servers/{name}/credentials: keys with an hour left; counts what it answers. */
const startFakeApi = async () => {
  const counts = { fetches: 0 };
  const server: Server = createServer((req, res) => {
    counts.fetches += 1;
    req.resume();
    const body = JSON.stringify({
      accessKeyId: 'ASIABENCHSIDECAR0001',
      secretAccessKey: 'bench-secret-'.padEnd(40, 's'),
      sessionToken: 'bench-session-token-'.padEnd(200, 't'),
      expiration: new Date(Date.now() + 3600_000).toISOString(),
      role: ROLE,
      account: 'bench',
      sourceIdentity: 'ana',
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, counts, close: () => new Promise((r) => server.close(r)) };
};

/** The sidecar as a server pod runs it; resolves once it prints its ready line. */
const startSidecar = async (apiUrl: string, dir: string) => {
  const child = spawn('python3', ['-B', '-m', 'orrery_runner.credentials_sidecar'], {
    cwd: join(ROOT, 'images', 'notebook-runner'),
    env: {
      PATH: process.env.PATH,
      ORRERY_API_URL: apiUrl,
      ORRERY_SERVER_NAME: 'bench',
      ORRERY_SERVER_TOKEN: 'bench-server-token',
      ORRERY_CREDENTIALS_TOKEN_FILE: join(dir, 'credentials-token'),
      ORRERY_CREDENTIALS_PORT: '0',
      ORRERY_PARENT_PID: String(process.pid),
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).once('line', res);
    child.once('exit', (code) => rej(new Error(`the sidecar exited ${code} before it was ready`)));
  });
  const ready = JSON.parse(line) as { url: string; tokenFile: string };
  return { child, url: ready.url, token: readFileSync(ready.tokenFile, 'utf8').trim() };
};

/** GET /credentials from `clients` concurrent clients for SECONDS: answers per second and latencies. */
const sidecarRate = async (url: string, token: string) => {
  const latencies: number[] = [];
  let failures = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: SIDECAR_CLIENTS }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const res = await fetch(url, { headers: { authorization: token } });
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        if (res.status !== 200) failures += 1;
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), failures };
};

const main = async () => {
  const home = mkdtempSync(join(tmpdir(), 'orrery-bench-credentials-'));
  const sts = await startFakeSts();
  const before = load();
  console.log(`machine: ${cpus().length} cores, load average ${before}`);
  const figures: Record<string, unknown> = {};
  const { child, api } = await startPlatform(home, sts.url);
  try {
    const paths = dataPaths(home);
    const users = new UserDirectory(paths.users, paths.loginCodes, await LocalIssuer.open(paths.secrets));
    const names = ['ana', 'ben', 'cy'];
    for (const n of names) users.upsert(n, { teams: ['bench'] });
    const tokens = await Promise.all(names.map((n) => users.tokenFor(n)));
    // The first issues load the STS client (lazily, as the cloud does at its first issue): not part of the figures.
    await issueLatencies(api, tokens, CLIENTS * 2);
    sts.reset();
    const issue = await issueLatencies(api, tokens);
    const stsCalls = sts.requests.filter((r) => !r.error).length;
    figures.issue = {
      requests: REQUESTS,
      clients: CLIENTS,
      p50Ms: ms(percentile(issue.latencies, 50)),
      p99Ms: ms(percentile(issue.latencies, 99)),
      perSecond: Math.round(REQUESTS / issue.seconds),
      failures: issue.failures,
      stsCalls,
    };
    console.log(
      `POST /credentials (local API, real STS adapter, test STS): ${REQUESTS} requests, ${CLIENTS} clients: ` +
        `p50 ${percentile(issue.latencies, 50).toFixed(1)} ms, p99 ${percentile(issue.latencies, 99).toFixed(1)} ms, ` +
        `${Math.round(REQUESTS / issue.seconds)} issues/s, ${issue.failures} failed, ${stsCalls} AssumeRole calls`,
    );
  } finally {
    await stopChild(child, 'SIGINT');
    await sts.close();
    rmSync(home, { recursive: true, force: true });
  }

  const dir = mkdtempSync(join(tmpdir(), 'orrery-bench-sidecar-'));
  const fakeApi = await startFakeApi();
  const sidecar = await startSidecar(fakeApi.url, dir);
  try {
    const warm = await fetch(sidecar.url, { headers: { authorization: sidecar.token } });
    if (warm.status !== 200) throw new Error(`the sidecar answered ${warm.status}: ${await warm.text()}`);
    await warm.arrayBuffer();
    const rate = await sidecarRate(sidecar.url, sidecar.token);
    const perSecond = Math.round(rate.latencies.length / SECONDS);
    figures.sidecar = {
      seconds: SECONDS,
      clients: SIDECAR_CLIENTS,
      answers: rate.latencies.length,
      perSecond,
      p50Ms: ms(percentile(rate.latencies, 50)),
      p99Ms: ms(percentile(rate.latencies, 99)),
      failures: rate.failures,
      apiFetches: fakeApi.counts.fetches,
    };
    console.log(
      `GET /credentials (sidecar, cache warm): ${SIDECAR_CLIENTS} clients for ${SECONDS} s: ${perSecond} answers/s, ` +
        `p50 ${percentile(rate.latencies, 50).toFixed(1)} ms, p99 ${percentile(rate.latencies, 99).toFixed(1)} ms, ` +
        `${rate.failures} failed, ${fakeApi.counts.fetches} fetch(es) from the API`,
    );
  } finally {
    await stopChild(sidecar.child, 'SIGTERM');
    await fakeApi.close();
    rmSync(dir, { recursive: true, force: true });
  }
  figures.load = { before, after: load() };
  console.log(`load average after: ${load()}`);
  console.log(JSON.stringify(figures));
};

await main();
