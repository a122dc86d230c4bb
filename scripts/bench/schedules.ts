// Schedules at scale, in local mode's parts (dynalite for the records, the croner calendar for the due times), with
// the run's launch bound to a no-op: runs are recorded and QUEUED, no kernel starts.
// 1. N schedules (default 10,000) all due in the same minute: every one must fire exactly once (runs counted from
//    the store, one per schedule), and the time from the due minute to the last run QUEUED is reported.
// 2. The fire use case under triple delivery: every due time of M schedules delivered three times at once, then
//    three more times after they settled; runs counted again (exactly one per due time).
// Prints the figures plainly, then one JSON line.
// Usage: npm run bench:schedules [-- --schedules 10000 --triple 2000]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeDocumentClient } from '../../functions/src/adapters/aws/clients.ts';
import { DynamoDbNotebookStore } from '../../functions/src/adapters/aws/dynamodb-notebook-store.ts';
import { DynamoDbRunStore } from '../../functions/src/adapters/aws/dynamodb-run-store.ts';
import { DynamoDbScheduleStore } from '../../functions/src/adapters/aws/dynamodb-schedule-store.ts';
import { ensureTable, makeEmulatorDynamoClient } from '../../functions/src/adapters/aws/table-setup.ts';
import { CronerScheduleCalendar } from '../../functions/src/adapters/local/croner-schedule-calendar.ts';
import { startDynalite } from '../../functions/src/adapters/local/emulators.ts';
import { MemoryBodyStore } from '../../functions/src/adapters/memory/memory-body-store.ts';
import { HmacCursorCodec } from '../../functions/src/adapters/system/hmac-cursor-codec.ts';
import { RandomIds } from '../../functions/src/adapters/system/random-ids.ts';
import { SystemClock } from '../../functions/src/adapters/system/system-clock.ts';
import { DEFAULT_PROFILES } from '../../functions/src/config/profile-registry.ts';
import type { Schedule } from '../../functions/src/domain/schedule.ts';
import { configureObservability } from '../../functions/src/observability/settings.ts';
import { createNotebook } from '../../functions/src/use-cases/create-notebook.ts';
import { FireInProgress, fireSchedule } from '../../functions/src/use-cases/fire-schedule.ts';
import { DEFAULT_LIMITS } from '../../functions/src/use-cases/folium-deps.ts';
import { DEFAULT_RUN_SETTINGS } from '../../functions/src/use-cases/run-deps.ts';
import { DEFAULT_SCHEDULE_SETTINGS, type ScheduleDeps } from '../../functions/src/use-cases/schedule-deps.ts';

const { values } = parseArgs({
  options: { schedules: { type: 'string', default: '10000' }, triple: { type: 'string', default: '2000' } },
});
const N = Number(values.schedules);
const M = Number(values.triple);
const TABLE = 'orrery';
const OWNER = { id: 'bench', name: 'Bench', teams: ['ads'], admin: false };
const NOTEBOOK = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' } },
  cells: [
    {
      cell_type: 'code',
      id: 'p',
      metadata: { tags: ['parameters'] },
      source: 'day = "today"',
      outputs: [],
      execution_count: null,
    },
    { cell_type: 'code', id: 'w', metadata: {}, source: 'print(day)', outputs: [], execution_count: null },
  ],
});
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Starts nothing: the launch step bound to a no-op, counting what it was asked to start. */
class NoopWorkflows {
  started = 0;
  async startRun(): Promise<void> {
    this.started += 1;
  }
  async stopRun(): Promise<void> {}
}

// Writes the schedules straight to the store (what POST would record), 50 at a time.
const seed = async (deps: ScheduleDeps, notebookId: string, count: number, expression: string, tag: string) => {
  const now = new Date().toISOString();
  const ids: string[] = [];
  for (let start = 0; start < count; start += 50) {
    const batch = Array.from({ length: Math.min(50, count - start) }, (_, i): Schedule => {
      const id = `sch-${tag}${String(start + i).padStart(8, '0')}`;
      ids.push(id);
      return {
        id,
        owner: OWNER.id,
        ownerTeams: OWNER.teams,
        notebookId,
        notebookOwner: OWNER.id,
        notebookTitle: 'bench',
        name: `bench ${start + i}`,
        expression,
        timezone: 'UTC',
        parameters: { day: `d${start + i}` },
        version: null,
        profile: DEFAULT_PROFILES[0]!.slug,
        role: null,
        delegation: null,
        timeoutSeconds: null,
        retries: 0,
        retryDelaySeconds: 300,
        maxConcurrentRuns: 1,
        overlap: 'skip',
        missed: 'skip',
        catchUpSeconds: 86_400,
        notify: {
          destination: null,
          onFailure: false,
          onSuccess: false,
          longerThanSeconds: null,
          learnedDuration: false,
          costOverUsd: null,
          digest: false,
        },
        paused: false,
        pausedAt: null,
        createdAt: now,
        updatedAt: now,
        lastDueAt: null,
        lastStatus: null,
        activeRunIds: [],
        revision: 1,
      };
    });
    await Promise.all(batch.map((s) => deps.schedules.putSchedule(s)));
  }
  return ids;
};

// One Query page after another of the owner's runs: how many there are, and how many per schedule and due time.
const countRuns = async (deps: ScheduleDeps) => {
  const perDue = new Map<string, number>();
  let latestQueued = '';
  let before: string | undefined;
  for (;;) {
    const page = await deps.runs.listRuns({ kind: 'owner', owner: OWNER.id }, { before, limit: 1000 });
    for (const run of page.items) {
      const key = `${run.scheduleId}#${run.dueAt}`;
      perDue.set(key, (perDue.get(key) ?? 0) + 1);
      if (run.status === 'QUEUED' && run.updatedAt > latestQueued) latestQueued = run.updatedAt;
    }
    if (!page.next) break;
    before = page.next;
  }
  return { perDue, latestQueued, total: [...perDue.values()].reduce((a, b) => a + b, 0) };
};

const dueMinute = (): Date => {
  const now = Date.now();
  // At least 20 s to put every schedule on the calendar before the minute comes.
  return new Date(Math.ceil((now + 20_000) / 60_000) * 60_000);
};

const main = async () => {
  configureObservability({ logLevel: 'warn' });
  const home = mkdtempSync(join(tmpdir(), 'orrery-bench-schedules-'));
  const dynamo = await startDynalite(join(home, 'dynamodb'));
  try {
    await ensureTable(makeEmulatorDynamoClient('us-east-1', dynamo.endpoint), TABLE);
    const doc = makeDocumentClient({ region: 'us-east-1', dynamoEndpoint: dynamo.endpoint, localCredentials: true });
    const workflows = new NoopWorkflows();
    const deps: ScheduleDeps = {
      notebooks: new DynamoDbNotebookStore(doc, TABLE),
      runs: new DynamoDbRunStore(doc, TABLE),
      schedules: new DynamoDbScheduleStore(doc, TABLE),
      calendar: undefined as never,
      workflows,
      notifier: { notify: async () => {} },
      destinations: [],
      scheduleSettings: DEFAULT_SCHEDULE_SETTINGS,
      clock: new SystemClock(),
      ids: new RandomIds(),
      runSettings: DEFAULT_RUN_SETTINGS,
      profiles: DEFAULT_PROFILES,
      roles: [],
    };
    const folium = {
      ...deps,
      bodies: new MemoryBodyStore(),
      limits: DEFAULT_LIMITS,
      cursors: new HmacCursorCodec('b'.repeat(32)),
    };
    const { notebook } = await createNotebook(folium, {
      user: OWNER,
      title: 'bench',
      visibility: 'private',
      content: NOTEBOOK,
    });

    // 1. N schedules due in the same minute, on the croner calendar.
    const due = dueMinute();
    const expression = `cron(${due.getUTCMinutes()} ${due.getUTCHours()} * * ? *)`;
    let seededAt = Date.now();
    const ids = await seed(deps, notebook.id, N, expression, 'a');
    const seedSeconds = (Date.now() - seededAt) / 1000;
    let fired = 0;
    let failures = 0;
    let lastFireDone = 0;
    const calendar = new CronerScheduleCalendar(async (d) => {
      try {
        await fireSchedule(deps, d);
      } catch {
        failures += 1;
      }
      fired += 1;
      lastFireDone = Date.now();
    });
    deps.calendar = calendar;
    seededAt = Date.now();
    for (const id of ids) await calendar.put((await deps.schedules.getSchedule(id))!);
    const putSeconds = (Date.now() - seededAt) / 1000;
    console.log(`${N} schedules stored in ${seedSeconds.toFixed(1)} s, on the calendar in ${putSeconds.toFixed(1)} s;`);
    console.log(`all due at ${due.toISOString()} (${((due.getTime() - Date.now()) / 1000).toFixed(0)} s from now)`);
    while (fired < N && Date.now() < due.getTime() + 600_000) await new Promise((r) => setTimeout(r, 250));
    calendar.stop();
    const counted = await countRuns(deps);
    const once = [...counted.perDue.values()].every((n) => n === 1);
    const lastQueuedSeconds = (Date.parse(counted.latestQueued) - due.getTime()) / 1000;
    console.log(
      `fired ${fired}, failed ${failures}; runs recorded ${counted.total} for ${counted.perDue.size} due times ` +
        `(${once && counted.total === N ? 'exactly once each' : 'NOT exactly once'}); workflow starts ${workflows.started}`,
    );
    console.log(
      `due minute → last run QUEUED: ${lastQueuedSeconds.toFixed(2)} s; → last fire done ` +
        `${((lastFireDone - due.getTime()) / 1000).toFixed(2)} s (load ${load()}, ${cpus().length} CPUs)`,
    );

    // 2. Triple delivery: each due time three times at once, then three times more once settled.
    const tripleIds = await seed(deps, notebook.id, M, 'cron(0 0 1 1 ? 2099)', 'b');
    const dueAt = '2099-01-01T00:00:00Z';
    const startedBefore = workflows.started;
    const t0 = Date.now();
    let inProgress = 0;
    let other = 0;
    for (let i = 0; i < tripleIds.length; i += 100) {
      const results = await Promise.allSettled(
        tripleIds
          .slice(i, i + 100)
          .flatMap((scheduleId) => [0, 1, 2].map(() => fireSchedule(deps, { scheduleId, dueAt, source: 'scheduler' }))),
      );
      for (const r of results) {
        if (r.status !== 'rejected') continue;
        if (r.reason instanceof FireInProgress) inProgress += 1;
        else other += 1;
      }
    }
    const concurrentSeconds = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    let settledAgain = 0;
    for (let i = 0; i < tripleIds.length; i += 100) {
      const again = await Promise.all(
        tripleIds
          .slice(i, i + 100)
          .flatMap((scheduleId) => [0, 1, 2].map(() => fireSchedule(deps, { scheduleId, dueAt, source: 'scheduler' }))),
      );
      settledAgain += again.filter((f) => f?.outcome === 'started').length;
    }
    const repeatSeconds = (Date.now() - t1) / 1000;
    const after = await countRuns(deps);
    const tripleRuns = [...after.perDue.entries()].filter(([k]) => k.endsWith(`#${dueAt}`));
    const tripleOnce = tripleRuns.length === M && tripleRuns.every(([, n]) => n === 1);
    console.log(
      `triple delivery of ${M} due times at once: ${((M * 3) / concurrentSeconds) | 0} deliveries/s, ` +
        `${workflows.started - startedBefore} runs started, ${inProgress} sent back as in progress, ${other} other errors`,
    );
    console.log(
      `three more deliveries each once settled: ${((M * 3) / repeatSeconds) | 0} deliveries/s, ${settledAgain} answered ` +
        `with the run already started; runs per due time ${tripleOnce ? 'exactly one' : 'NOT exactly one'}`,
    );
    console.log(
      JSON.stringify({
        schedules: N,
        runs: counted.total,
        exactlyOnce: once && counted.total === N,
        dueToLastQueuedSeconds: Number(lastQueuedSeconds.toFixed(2)),
        triple: { dueTimes: M, runs: tripleRuns.length, exactlyOnce: tripleOnce, inProgress, other },
        load: load(),
      }),
    );
  } finally {
    await dynamo.close();
    rmSync(home, { recursive: true, force: true });
  }
};

await main();
