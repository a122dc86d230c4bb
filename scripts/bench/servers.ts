// Two server figures. 1) Launch to ready against a bare `jupyter server` started the same way (launches.ts), with
// the platform's warm servers and with none (every launch cold).
// 2) A cull sweep over 100,000 RUNNING server records in dynalite, 1% idle: the sweep that warns them,
// the sweep that stops them, and a naive full Scan for comparison. Prints figures and a final JSON line.
// Usage: npm run bench:servers [-- --warm 2 --records 100000 --idle 1000 --owners 10000 --concurrency 64]
// (--warm N measures only N warm servers; without it, the default (3) and then 0.)
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeDocumentClient } from '../../functions/src/adapters/aws/clients.ts';
import { DynamoDbServerStore } from '../../functions/src/adapters/aws/dynamodb-server-store.ts';
import { ensureTable, makeEmulatorDynamoClient } from '../../functions/src/adapters/aws/table-setup.ts';
import { startDynalite } from '../../functions/src/adapters/local/emulators.ts';
import { benchLaunches } from './launches.ts';
import { HmacCursorCodec } from '../../functions/src/adapters/system/hmac-cursor-codec.ts';
import { RandomIds } from '../../functions/src/adapters/system/random-ids.ts';
import { DEFAULT_CULL_SETTINGS, defaultCullPolicy } from '../../functions/src/domain/cull-policy.ts';
import { DEFAULT_LAUNCH_SETTINGS, requestedEvent } from '../../functions/src/domain/launch.ts';
import { resolveResources } from '../../functions/src/domain/profile.ts';
import { hashServerToken, serverIdFor, type Server } from '../../functions/src/domain/server.ts';
import type { ServerCompute } from '../../functions/src/ports/server-compute.ts';
import { DEFAULT_PROFILES } from '../../functions/src/config/profiles-config.ts';
import { MemorySparkSessionStore } from '../../functions/src/adapters/memory/memory-spark-session-store.ts';
import { DEFAULT_SPARK_RULES } from '../../functions/src/domain/spark-sizing.ts';
import { cullIdle, type CullIdleDeps } from '../../functions/src/use-cases/cull-idle.ts';
import { DEFAULT_SERVER_SETTINGS, type ServerDeps } from '../../functions/src/use-cases/server-deps.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    idle: { type: 'string', default: '1000' },
    owners: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '64' },
    warm: { type: 'string' },
  },
});
const RECORDS = Number(values.records);
const IDLE_EVERY = Math.round(RECORDS / Number(values.idle));
const OWNERS = Number(values.owners);
const CONCURRENCY = Number(values.concurrency);
const MIN = 60_000;
const figures: Record<string, unknown> = {};

const ms = (x: number) => `${x.toFixed(0)} ms`;

/**
 * Record i of the seed: owner i mod OWNERS. Every hundredth is idle (no activity for 2–3 h, so its cull
 * check is long past); the rest were active in the last 10 min. All report every minute, so no heartbeat is due.
 */
const serverRecord = (i: number, t0: number): Server => {
  const profile = DEFAULT_PROFILES[0]!;
  const idle = i % IDLE_EVERY === 0;
  const owner = `user-${String(i % OWNERS).padStart(5, '0')}`;
  const name = `srv-${Math.floor(i / OWNERS)}`;
  const iso = (agoSeconds: number) => new Date(t0 - agoSeconds * 1000).toISOString();
  const startedAt = iso(idle ? 4 * 3600 : 3600 + (i % 7200));
  const server: Server = {
    id: serverIdFor(owner, name),
    owner,
    name,
    profile: profile.slug,
    resources: resolveResources(profile),
    hourlyPrice: profile.hourlyPrice,
    idleTimeoutSeconds: profile.idleTimeoutSeconds,
    maxAgeSeconds: profile.maxAgeSeconds,
    status: 'RUNNING',
    slot: Math.floor(i / OWNERS),
    launchId: `launch-${i}`,
    tokenHash: hashServerToken(`bench-${i}`),
    createdAt: startedAt,
    updatedAt: iso(i % 60),
    startedAt,
    lastActivity: iso(idle ? 2 * 3600 + (i % 3600) : i % 600),
    lastReportAt: iso(i % 60),
    url: `http://127.0.0.1:1/user/${owner}/${name}/`,
    progress: [requestedEvent(startedAt)],
  };
  return { ...server, cullCheckAt: defaultCullPolicy().nextCheck(server) };
};

/** Writes the records with `putServer`, CONCURRENCY at a time; prints the rate. */
const seed = async (store: DynamoDbServerStore, t0: number) => {
  const start = performance.now();
  let next = 0;
  let written = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < RECORDS) {
        const i = next++;
        await store.putServer(serverRecord(i, t0));
        if (++written % 20_000 === 0) console.log(`  … ${written} written`);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `seeded ${RECORDS} RUNNING servers (${RECORDS / IDLE_EVERY} idle, ${OWNERS} owners) in ${seconds.toFixed(1)} s: ` +
      `${(RECORDS / seconds).toFixed(0)} puts/s at concurrency ${CONCURRENCY}`,
  );
  figures.seed = {
    records: RECORDS,
    idle: RECORDS / IDLE_EVERY,
    owners: OWNERS,
    seconds: Number(seconds.toFixed(1)),
    putsPerSecond: Math.round(RECORDS / seconds),
  };
};

/** The naive culler's read: Scan every page of the table, counting items and those due at `now`. */
const naiveScan = async (doc: DynamoDBDocumentClient, table: string, now: number) => {
  const start = performance.now();
  let items = 0;
  let due = 0;
  let pages = 0;
  let key: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: key }));
    pages += 1;
    items += out.Count ?? 0;
    due += (out.Items ?? []).filter(
      (s) => s.status === 'RUNNING' && typeof s.cullCheckAt === 'string' && Date.parse(s.cullCheckAt) <= now,
    ).length;
    key = out.LastEvaluatedKey;
  } while (key);
  const took = performance.now() - start;
  console.log(`naive full Scan: ${items} items in ${pages} pages, ${ms(took)}; ${due} of them due`);
  figures.naiveScan = { ms: Math.round(took), items, pages, due };
};

/** Deps as the culler gets them, on the real store; the compute and workflows are never asked to launch. */
const cullDeps = (store: DynamoDbServerStore, clock: { at: number }) => {
  const unused = () => Promise.reject(new Error('the culler does not launch'));
  const compute: ServerCompute = {
    putToken: unused,
    create: unused,
    observe: unused,
    remove: async () => {},
    deleteHome: unused,
    listHomes: unused,
    describeHome: async () => 'its home volume',
    stopSparkApplications: async () => [],
  };
  const notifier = {
    notices: 0,
    notify: async () => {
      notifier.notices += 1;
    },
  };
  const deps: ServerDeps & CullIdleDeps = {
    servers: store,
    // The bench measures server records; it starts no Spark session, so an empty store reads nothing.
    sparkSessions: new MemorySparkSessionStore(),
    sparkCompute: { startSession: unused, stopSession: async () => {} },
    spark: { pools: [], rules: DEFAULT_SPARK_RULES, historyUrl: '', monitoringUrl: '' },
    compute,
    workflows: { launchServer: unused },
    notifier,
    clock: { now: () => new Date(clock.at) },
    ids: new RandomIds(),
    cursors: new HmacCursorCodec('bench-secret-bench-secret'),
    profiles: DEFAULT_PROFILES,
    roles: [],
    serverSettings: {
      ...DEFAULT_SERVER_SETTINGS,
      launch: DEFAULT_LAUNCH_SETTINGS,
      cull: DEFAULT_CULL_SETTINGS,
      apiUrl: 'http://127.0.0.1:1/api',
      progressWaitMs: 0,
    },
    cullPolicy: defaultCullPolicy(DEFAULT_CULL_SETTINGS),
  };
  return { deps, notifier };
};

/** One `cullIdle` sweep, timed, with what it read and did. */
const sweep = async (label: string, deps: CullIdleDeps, notifier: { notices: number }) => {
  const before = notifier.notices;
  const start = performance.now();
  const s = await cullIdle(deps);
  const took = performance.now() - start;
  const ratio = s.itemsRead / RECORDS;
  console.log(
    `${label}: ${ms(took)}; itemsRead ${s.itemsRead}, examined ${s.examined}, warned ${s.warned}, ` +
      `stopped ${s.stopped}, notices ${notifier.notices - before}; itemsRead / records ${ratio.toFixed(4)}`,
  );
  return {
    label,
    at: s.at,
    ms: Math.round(took),
    itemsRead: s.itemsRead,
    examined: s.examined,
    warned: s.warned,
    stopped: s.stopped,
    notices: notifier.notices - before,
    ratio,
  };
};

/** Part 2: seed, a naive Scan, then the warning sweep and (clock past stopsAt) the stopping sweep. */
const benchCull = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-bench-cull-'));
  const dynamo = await startDynalite(join(dir, 'dynamodb'));
  try {
    const table = 'bench';
    await ensureTable(makeEmulatorDynamoClient('us-east-1', dynamo.endpoint), table);
    const doc = makeDocumentClient({ region: 'us-east-1', dynamoEndpoint: dynamo.endpoint, localCredentials: true });
    const store = new DynamoDbServerStore(doc, table);
    const clock = { at: Date.now() };
    await seed(store, clock.at);
    await naiveScan(doc, table, clock.at);
    const { deps, notifier } = cullDeps(store, clock);
    const first = await sweep('sweep 1 (at seed time: warn)', deps, notifier);
    // Warnings give 15 min (warnBeforeSeconds); one minute past that, the idle ones are stopped.
    clock.at += DEFAULT_CULL_SETTINGS.warnBeforeSeconds * 1000 + MIN;
    const second = await sweep('sweep 2 (16 min later: stop)', deps, notifier);
    figures.sweeps = [first, second];
  } finally {
    await dynamo.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const main = async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.ORRERY_LOG_LEVEL = 'silent';
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const warmSizes = values.warm === undefined ? [3, 0] : [Number(values.warm)];
  figures.launch = [];
  for (const size of warmSizes) {
    console.log(`launches with ${size} warm servers:`);
    (figures.launch as unknown[]).push(await benchLaunches(size));
  }
  await benchCull();
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(JSON.stringify(figures));
};

await main();
