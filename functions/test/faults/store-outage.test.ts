import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverIdFor } from '../../src/domain/server.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { jupyterKernelAvailable } from '../support/runs.ts';
import { jupyterServerAvailable } from '../support/servers.ts';
import { DynaliteFaults } from './support/emulator-faults.ts';
import { sleepyNotebook } from './support/fault-notebooks.ts';
import { processesOf, waitGone } from './support/processes.ts';

/**
 * The two moments the seeded fault suite found where a few seconds without the database left work
 * open for good: the end of a run (Finalize and RecordFailure both failed, the workflow ended, the
 * run stayed IN_PROGRESS) and a launch (CheckLaunch, CleanUp and RecordFailure failed, the server
 * stayed PENDING with nothing launching it). Here each is struck on purpose, not by chance.
 */

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LAUNCH_TIMEOUT_SECONDS = 20;
const RUN_TIMEOUT_SECONDS = 30;
// What a workflow needs past the outage to record how its work ended.
const GRACE_MS = 20_000;

let t: TestPlatform;
let dynalite: DynaliteFaults;

const waitFor = async (path: string, statuses: string[], deadlineAt: number) => {
  for (;;) {
    const res = await t.api('GET', path, t.tokens.alice);
    if (statuses.includes(res.body.status) || Date.now() > deadlineAt) return res.body;
    await pause(200);
  }
};

/** Takes the database away for `downMs`, as a crash and a supervisor's restart would. */
const outage = async (downMs: number) => {
  await dynalite.kill();
  await pause(downMs);
  await dynalite.restart();
};

describe('a few seconds without the database at the worst moment', () => {
  beforeAll(async () => {
    t = await startTestPlatform(undefined, {
      ORRERY_LAUNCH_TIMEOUT_SECONDS: String(LAUNCH_TIMEOUT_SECONDS),
      ORRERY_LAUNCH_POLL_MS: '200',
    });
    dynalite = new DynaliteFaults(join(t.home, 'dynamodb'), Number(new URL(t.platform.config.dynamoEndpoint!).port));
  }, 60_000);

  afterAll(async () => {
    await dynalite?.close();
    await t?.close().catch(() => undefined);
  }, 60_000);

  it.skipIf(!jupyterServerAvailable())(
    'ends a launch it struck RUNNING or FAILED by its deadline, and a FAILED one leaves no process',
    async () => {
      // Prepare
      const launched = await t.api('POST', '/servers', t.tokens.alice, { name: 'outage' });
      const deadlineAt = Date.now() + LAUNCH_TIMEOUT_SECONDS * 1000 + GRACE_MS;
      await pause(300);
      // Act
      await outage(3000);
      const server = await waitFor('/servers/outage', ['RUNNING', 'FAILED', 'STOPPED'], deadlineAt);
      const marker = `ORRERY_SERVER_ID=${serverIdFor('alice', 'outage')}`;
      const left =
        server.status === 'FAILED'
          ? await waitGone(
              processesOf({ markers: [marker] }).map((p) => p.pid),
              10_000,
            )
          : [];
      // Assess
      expect(launched.status).toBe(202);
      expect(['RUNNING', 'FAILED']).toContain(server.status);
      expect(left).toEqual([]);
      await t.api('DELETE', '/servers/outage', t.tokens.alice);
    },
    90_000,
  );

  it.skipIf(!jupyterKernelAvailable())(
    "ends a run whose end it struck by the run's deadline",
    async () => {
      // Prepare
      const nb = (await t.api('POST', '/notebooks', t.tokens.alice, { title: 'sleepy', content: sleepyNotebook(2) }))
        .body.notebook.id;
      const started = await t.api('POST', `/notebooks/${nb}/runs`, t.tokens.alice, {
        timeoutSeconds: RUN_TIMEOUT_SECONDS,
      });
      const deadlineAt = Date.now() + RUN_TIMEOUT_SECONDS * 1000 + GRACE_MS;
      const runner = () =>
        processesOf({ markers: [`ORRERY_RUN_ID=${started.body.id}`] }).some((p) => p.cmdline.includes('runner.py'));
      while (!runner() && Date.now() < deadlineAt) await pause(25);
      await pause(1500);
      // Act: the database is away from inside the notebook's sleep until past the run's end.
      await outage(4000);
      const run = await waitFor(`/runs/${started.body.id}`, ['COMPLETED', 'FAILED', 'STOPPED'], deadlineAt);
      // Assess
      expect(started.status).toBe(202);
      expect(['COMPLETED', 'FAILED']).toContain(run.status);
    },
    90_000,
  );
});
