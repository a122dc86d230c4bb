// Seeds 10,000 notebooks into a fresh local platform, then drives three read paths with 16 concurrent
// clients for 20 s each and prints requests/s, p50 and p99. With JupyterHub installed, the first path runs
// interleaved with the same list on a hub holding as many users, and the ratio is printed. Last, what each
// listing page reads from the store. The listing cache is on (as `npm start` runs) unless --no-cache; one drive
// lists while a writer renames a notebook every 100 ms, so every page the cache holds goes stale ten times a second.
// Usage: npm run bench:api [-- --seconds 20 --notebooks 10000 --rounds 2 --no-hub --no-cache]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dataPaths } from '../../functions/src/adapters/local/data-folder.ts';
import { LocalIssuer } from '../../functions/src/adapters/local/local-issuer.ts';
import { UserDirectory } from '../../functions/src/adapters/local/user-directory.ts';
import type { User } from '../../functions/src/domain/user.ts';
import { hubInstalled, startHub } from './jupyterhub.ts';
import { type ListCase, printListReads } from './list-reads.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    notebooks: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
    'no-hub': { type: 'boolean', default: false },
    'no-cache': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const NOTEBOOKS = Number(values.notebooks);
const CLIENTS = Number(values.clients);
const ROOT = resolve(import.meta.dirname, '..', '..');
const TAGS = Array.from({ length: 40 }, (_, i) => `tag-${i}`);

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => res(port));
    });
  });

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** What one drive measured. */
interface Drive {
  latencies: number[];
  errors: number;
  seconds: number;
}

const report = (name: string, d: Drive) => {
  const latencies = [...d.latencies].sort((a, b) => a - b);
  const rate = (latencies.length / d.seconds).toFixed(0).padStart(6);
  const at = (p: number) => percentile(latencies, p).toFixed(1).padStart(6);
  console.log(
    `${name.padEnd(40)} ${rate} req/s   p50 ${at(50)} ms   p99 ${at(99)} ms   ` +
      `errors ${d.errors}/${latencies.length}`,
  );
  return { rate: latencies.length / d.seconds, p99: percentile(latencies, 99) };
};

const merged = (drives: Drive[]): Drive => ({
  latencies: drives.flatMap((d) => d.latencies),
  errors: drives.reduce((n, d) => n + d.errors, 0),
  seconds: drives.reduce((n, d) => n + d.seconds, 0),
});

const drive = async (name: string, makeRequest: (i: number) => [string, string], seconds = SECONDS): Promise<Drive> => {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = c; performance.now() < end; i += CLIENTS) {
        const start = performance.now();
        const [url, token] = makeRequest(i);
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        latencies.push(performance.now() - start);
        if (!res.ok) errors += 1;
      }
    }),
  );
  const d = { latencies, errors, seconds };
  if (name) report(name, d);
  return d;
};

// The same list on both, interleaved round by round so both see the same machine.
const compareWithHub = async (api: string, tokens: string[]) => {
  const hub = await startHub([await freePort(), await freePort(), await freePort()], NOTEBOOKS);
  try {
    // Unreported warm-up: the emulator settles its writes from seeding, both servers fill their caches.
    await drive('', (i) => [`${api}/notebooks?limit=50`, tokens[i % tokens.length]!], 3);
    await drive('', () => [`${hub.api}/users?limit=50`, hub.token], 3);
    const ours: Drive[] = [];
    const theirs: Drive[] = [];
    for (let r = 0; r < ROUNDS; r += 1) {
      ours.push(
        await drive('GET /notebooks?limit=50', (i) => [`${api}/notebooks?limit=50`, tokens[i % tokens.length]!]),
      );
      theirs.push(
        await drive('JupyterHub GET /hub/api/users?limit=50', () => [`${hub.api}/users?limit=50`, hub.token]),
      );
    }
    const a = report('Orrery, all rounds', merged(ours));
    const b = report('JupyterHub, all rounds', merged(theirs));
    console.log(
      `Orrery/JupyterHub throughput ${(a.rate / b.rate).toFixed(2)}× (target ≥ 2×); ` +
        `p99 ${a.p99.toFixed(1)} ms vs ${b.p99.toFixed(1)} ms (target ≤ 50 ms)`,
    );
  } finally {
    await hub.close();
  }
};

/** Runs `work` while one notebook is renamed every 100 ms by its owner; prints how many renames went through. */
const whileRenaming = async (
  api: string,
  tokens: string[],
  [id, owner]: [string, number],
  work: () => Promise<unknown>,
) => {
  let done = false;
  let failed: unknown;
  const took: number[] = [];
  const writer = (async () => {
    while (!done) {
      took.push(await rename(api, tokens[owner]!, id, `Renamed ${took.length}`));
      await new Promise((r) => setTimeout(r, 100));
    }
  })().catch((err: unknown) => {
    failed = err;
  });
  try {
    await work();
  } finally {
    done = true;
    await writer;
  }
  if (failed) throw failed;
  console.log(`  (${took.length} renames during it, ${latencyOf(took)})`);
};

/** One PATCH of a notebook's title; returns how long it took, in ms. */
const rename = async (api: string, token: string, id: string, title: string): Promise<number> => {
  const started = performance.now();
  const res = await fetch(`${api}/notebooks/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  if (!res.ok) throw new Error(`rename failed: ${res.status} ${await res.text()}`);
  return performance.now() - started;
};

const latencyOf = (took: number[]) => {
  const sorted = [...took].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`;
};

/** What a write costs with nothing else running: 100 renames one after another. */
const renamesAlone = async (api: string, tokens: string[], [id, owner]: [string, number]) => {
  const took: number[] = [];
  for (let i = 0; i < 100; i += 1) took.push(await rename(api, tokens[owner]!, id, `Alone ${i}`));
  console.log(`PATCH /notebooks/{id}, one at a time      ${latencyOf(took)}`);
};

/** Seeds notebooks round-robin over the users; returns each id with the index of its owner's token. */
const seed = async (api: string, tokens: string[]) => {
  const ids: Array<[string, number]> = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < NOTEBOOKS) {
        const i = next++;
        const body = {
          title: `Notebook ${i}`,
          tags: [TAGS[i % TAGS.length], TAGS[(i * 7) % TAGS.length]],
          visibility: ['org', 'team', 'private'][i % 3],
          group: `g/${i % 25}`,
        };
        const res = await fetch(`${api}/notebooks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (res.status !== 201) throw new Error(`seed failed: ${res.status} ${await res.text()}`);
        ids.push([((await res.json()) as { notebook: { id: string } }).notebook.id, i % tokens.length]);
      }
    }),
  );
  console.log(`seeded ${ids.length} notebooks in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return ids;
};

// The listings the drive asks for, and the filters it does not, each as the store reads them.
const listCases = (names: string[]): ListCase[] => {
  const user = (i: number): User => ({ id: names[i]!, name: names[i]!, teams: [`team-${i % 2}`], admin: false });
  const admin: User = { id: 'root', name: 'root', teams: [], admin: true };
  return [
    ...names.map((n, i) => ({ name: `${n} (no filter)`, user: user(i), filter: {} })),
    { name: 'root, an admin (no filter)', user: admin, filter: {} },
    { name: `${names[0]} tag=tag-3`, user: user(0), filter: { tag: 'tag-3' } },
    { name: `${names[1]} tag=tag-3`, user: user(1), filter: { tag: 'tag-3' } },
    { name: 'root tag=tag-3', user: admin, filter: { tag: 'tag-3' } },
    { name: `${names[0]} group=g/3`, user: user(0), filter: { group: 'g/3' } },
    { name: `${names[0]} owner=${names[1]}`, user: user(0), filter: { owner: names[1] } },
    { name: `${names[0]} owner=${names[0]}`, user: user(0), filter: { owner: names[0] } },
    { name: `${names[0]} q=Notebook 1`, user: user(0), filter: { q: 'Notebook 1' } },
  ];
};

const main = async () => {
  const home = mkdtempSync(join(tmpdir(), 'orrery-bench-'));
  const port = await freePort();
  const server = spawn(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', 'scripts/local/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      ORRERY_HOME: home,
      ...(values['no-cache'] ? { ORRERY_LIST_CACHE_ITEMS: '0' } : {}),
    },
    stdio: 'ignore',
  });
  const api = `http://127.0.0.1:${port}/api`;
  const stopped = new Promise((r) => server.once('exit', r));
  const names = ['ana', 'ben', 'cy'];
  try {
    for (let i = 0; i < 150; i += 1) {
      if (
        await fetch(`${api}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const paths = dataPaths(home);
    const users = new UserDirectory(paths.users, paths.loginCodes, await LocalIssuer.open(paths.secrets));
    for (const [i, n] of names.entries()) users.upsert(n, { teams: [`team-${i % 2}`] });
    const tokens = await Promise.all(names.map((n) => users.tokenFor(n)));
    console.log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${CLIENTS} clients, ${SECONDS} s per scenario`,
    );
    const ids = await seed(api, tokens);
    await renamesAlone(api, tokens, ids[0]!);
    if (!values['no-hub'] && hubInstalled()) await compareWithHub(api, tokens);
    else {
      console.log('JupyterHub: not compared (--no-hub, or no `jupyterhub` on PATH)');
      await drive('GET /notebooks?limit=50', (i) => [`${api}/notebooks?limit=50`, tokens[i % tokens.length]!]);
    }
    await whileRenaming(api, tokens, ids[0]!, () =>
      drive('GET /notebooks?limit=50, 10 renames/s', (i) => [`${api}/notebooks?limit=50`, tokens[i % tokens.length]!]),
    );
    await drive('GET /notebooks?tag=…&limit=50', (i) => [
      `${api}/notebooks?limit=50&tag=${TAGS[i % TAGS.length]}`,
      tokens[i % tokens.length]!,
    ]);
    await drive('GET /notebooks/{id}', (i) => {
      const [id, owner] = ids[(i * 7919) % ids.length]!;
      return [`${api}/notebooks/${id}`, tokens[owner]!];
    });
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    server.kill('SIGINT');
    await stopped;
    const worst = await printListReads(dataPaths(home).dynamodb, 'orrery', listCases(names));
    console.log(`most items read per item returned: ${worst.toFixed(2)}× (target ≤ 1.2×)`);
  } finally {
    server.kill('SIGINT');
    await stopped;
    rmSync(home, { recursive: true, force: true });
  }
};

await main();
