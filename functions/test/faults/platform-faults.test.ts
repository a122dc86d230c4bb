import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jupyterKernelAvailable } from '../support/runs.ts';
import { jupyterServerAvailable } from '../support/servers.ts';
import { call } from './support/client.ts';
import { bigNotebook, sleepyNotebook, uniqueNotebook } from './support/fault-notebooks.ts';
import { checkNotebooks, Ledger, type Target } from './support/ledger.ts';
import { commitInline, createThenUpload, uploadAndCommit, type OpResult } from './support/notebook-ops.ts';
import { freePort, PlatformProcess } from './support/platform-process.ts';
import { killHard, processesOfHome, waitGone } from './support/processes.ts';
import { formatTable, writeReport, type IterationRecord } from './support/report.ts';
import { faultSeed, Seeded } from './support/seeded.ts';
import { launchServer, settleRun, settleServer, startRun } from './support/work-ops.ts';

/**
 * Runs the local platform as `npm start` does, in a process of its own, SIGKILLs it at seeded random
 * points during commits, uploads, runs and launches, and starts it again on the same data folder:
 * its restart must end whatever was open, reap what the dead one left running, and keep everything
 * it had acknowledged.
 */

type Op = 'commit' | 'upload' | 'create+upload' | 'recommit-big' | 'run' | 'launch';
interface Planned {
  n: number;
  op: Op;
  fault: 'platform';
  atMs: number;
  downMs: number;
}

const SEED = faultSeed();
const ITERATIONS = 10;
const RUN_TIMEOUT_SECONDS = 30;
const FINALIZE_GRACE_MS = 30_000;
const LAUNCH_TIMEOUT_SECONDS = 20;
const LAUNCH_GRACE_MS = 20_000;
// Long enough for the client to ride out a restart (a few seconds here, more on a busy CI machine).
const RETRY_BUDGET_MS = 45_000;
const WINDOW_MS: Record<Op, number> = {
  commit: 150,
  upload: 400,
  'create+upload': 400,
  'recommit-big': 300,
  run: 4000,
  launch: 3000,
};

const plan = (seed: number): Planned[] => {
  const rng = new Seeded(seed).fork('platform-faults');
  // Every kind of operation at least once, the rest drawn at random.
  const ops: Op[] = ['commit', 'upload', 'recommit-big', 'run', 'launch'];
  while (ops.length < ITERATIONS)
    ops.push(rng.pick<Op>(['commit', 'upload', 'create+upload', 'recommit-big', 'run', 'launch']));
  const shuffled = ops.map((op) => ({ op, key: rng.next() })).sort((a, b) => a.key - b.key);
  return shuffled.map(({ op }, i) => ({
    n: i + 1,
    op,
    fault: 'platform' as const,
    atMs: rng.int(0, WINDOW_MS[op]),
    downMs: rng.int(0, 500),
  }));
};

const PLAN = plan(SEED);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const canRun = jupyterKernelAvailable();
const canLaunch = jupyterServerAvailable();
const home = mkdtempSync(join(tmpdir(), 'orrery-platform-faults-'));
const big = bigNotebook(1500);

let platform: PlatformProcess;
let target: Target;
const ledger = new Ledger();
const records: IterationRecord[] = [];
const pool: string[] = [];
let bigNotebookId = '';
let runNotebookId = '';

/**
 * SIGKILLs the platform `atMs` into the operation and starts it again `downMs` later; the old life's processes must all
 * go.
 */
const strike = async (p: Planned): Promise<{ hit: string; problems: string[] }> => {
  await pause(p.atMs);
  const oldLife = processesOfHome(home);
  await platform.kill();
  await pause(p.downMs);
  try {
    await platform.start();
  } catch (err) {
    return {
      hit: 'restart failed',
      problems: [`the platform did not start again on its data: ${(err as Error).message}`],
    };
  }
  const left = await waitGone(
    oldLife.map((x) => x.pid),
    10_000,
  );
  const named = left.map((pid) => oldLife.find((x) => x.pid === pid)?.cmdline.slice(0, 100));
  return {
    hit: `killed ${oldLife.length} procs`,
    problems: named.map((c) => `the killed platform's process outlived its restart: ${c}`),
  };
};

const storeOp = (p: Planned): Promise<OpResult> => {
  const label = `p${SEED}-${p.n}`;
  const nb = pool[p.n % pool.length]!;
  if (p.op === 'commit') return commitInline(target, ledger, nb, uniqueNotebook(label), RETRY_BUDGET_MS);
  if (p.op === 'upload') return uploadAndCommit(target, ledger, nb, uniqueNotebook(label), RETRY_BUDGET_MS);
  if (p.op === 'create+upload')
    return createThenUpload(target, ledger, `fault ${label}`, uniqueNotebook(label), RETRY_BUDGET_MS);
  return commitInline(target, ledger, bigNotebookId, big, RETRY_BUDGET_MS);
};

const runOp = async (): Promise<OpResult> => {
  const postedAt = Date.now();
  const started = await startRun(target, ledger, runNotebookId, RUN_TIMEOUT_SECONDS, RETRY_BUDGET_MS);
  const why = `${started.answer.status} ${started.answer.text.slice(0, 160)}`;
  if (!started.runId)
    return { trace: started.trace, outcome: 'not started', problems: [`starting a run did not recover: ${why}`] };
  const settled = await settleRun(
    target,
    home,
    started.runId,
    postedAt + RUN_TIMEOUT_SECONDS * 1000 + FINALIZE_GRACE_MS,
  );
  return { ...settled, trace: started.trace };
};

const launchOp = async (p: Planned): Promise<OpResult> => {
  const postedAt = Date.now();
  const name = `p${p.n}`;
  const launch = await launchServer(target, ledger, name, RETRY_BUDGET_MS);
  const why = `${launch.answer.status} ${launch.answer.text.slice(0, 160)}`;
  if (!launch.launched)
    return { trace: launch.trace, outcome: 'not launched', problems: [`a launch did not recover: ${why}`] };
  const settled = await settleServer(
    target,
    home,
    name,
    postedAt + LAUNCH_TIMEOUT_SECONDS * 1000 + LAUNCH_GRACE_MS,
    RETRY_BUDGET_MS,
  );
  return { ...settled, trace: `${launch.trace} ${settled.trace}` };
};

const iterate = async (p: Planned): Promise<Omit<IterationRecord, 'ms'>> => {
  const operation = p.op === 'run' ? runOp() : p.op === 'launch' ? launchOp(p) : storeOp(p);
  const [result, struck] = await Promise.all([operation, strike(p)]);
  const touched = [...pool, bigNotebookId, ...ledger.notebooks];
  const problems = [
    ...struck.problems,
    ...result.problems,
    ...(await checkNotebooks(target, ledger, { deep: false, touched })),
  ];
  return { ...p, hit: struck.hit, trace: result.trace, outcome: result.outcome, problems };
};

const skipped = (p: Planned) => (p.op === 'run' && !canRun) || (p.op === 'launch' && !canLaunch);

describe(`the local platform SIGKILLed and started again (seed ${SEED}; ORRERY_FAULT_SEED=${SEED} reproduces it)`, () => {
  beforeAll(async () => {
    console.log(`fault suite (platform): seed ${SEED}; rerun with ORRERY_FAULT_SEED=${SEED}`);
    const env = {
      ORRERY_LOG_LEVEL: 'silent',
      ORRERY_WEB_DIST: join(home, 'no-portal-built'),
      ORRERY_LAUNCH_TIMEOUT_SECONDS: String(LAUNCH_TIMEOUT_SECONDS),
      ORRERY_SERVER_LIMIT: '20',
      ORRERY_LAUNCH_POLL_MS: '200',
    };
    platform = new PlatformProcess(home, await freePort(), env);
    await platform.start();
    target = { apiUrl: platform.apiUrl, token: await platform.tokenFor('alice'), owner: 'alice' };
    const create = (title: string, content: string) =>
      call(target.apiUrl, target.token, 'POST', '/notebooks', { title, content });
    for (let i = 0; i < 2; i += 1) pool.push((await create(`pool ${i}`, uniqueNotebook(`pp${i}`))).body.notebook.id);
    const bigCreated = await create('big', big);
    bigNotebookId = bigCreated.body.notebook.id;
    ledger.version(bigNotebookId, 1, bigCreated.body.version.sha256);
    runNotebookId = (await create('sleepy', sleepyNotebook(2))).body.notebook.id;
    for (const id of [...pool, runNotebookId]) ledger.notebooks.add(id);
  }, 120_000);

  afterAll(async () => {
    if (records.length) {
      console.log(formatTable(`fault iterations (platform), seed ${SEED}:`, records));
      console.log(`report: ${writeReport('platform-faults', SEED, records)}`);
    }
    await platform?.kill();
    for (const x of processesOfHome(home)) killHard(x.pid);
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  for (const p of PLAN) {
    const name =
      `#${p.n} ${p.op} with the platform SIGKILLed ${p.atMs} ms in ` +
      `(restarted ${p.downMs} ms later) keeps every invariant`;
    it.skipIf(skipped(p))(
      name,
      async () => {
        // Prepare
        const begun = Date.now();
        // Act
        const found = await iterate(p);
        records.push({ ...found, ms: Date.now() - begun });
        // Assess
        expect(found.problems).toEqual([]);
      },
      150_000,
    );
  }

  it('still holds every acknowledged version with its exact bytes after all the restarts', async () => {
    // Act
    const problems = await checkNotebooks(target, ledger, { deep: true });
    // Assess
    expect(problems).toEqual([]);
  }, 120_000);

  it('stops on SIGTERM after the restarts and leaves no process behind', async () => {
    // Act
    const how = await platform.stop();
    const left = await waitGone(
      processesOfHome(home).map((x) => x.pid),
      10_000,
    );
    // Assess
    expect(how).toBe('exit 0');
    expect(left.map((pid) => processesOfHome(home).find((x) => x.pid === pid)?.cmdline ?? pid)).toEqual([]);
  }, 60_000);
});
