import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../support/notebooks.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { jupyterKernelAvailable, waitForRun } from '../support/runs.ts';

// The schedule routes over HTTP on the local platform (dynalite, the croner calendar, a real kernel for the runs),
// and local start-up's handling of due times missed while it was down.

let t: TestPlatform;
let notebookId: string;
const home = mkdtempSync(join(tmpdir(), 'orrery-schedules-api-'));

const body = (over: Record<string, unknown> = {}) => ({
  name: 'daily sales',
  expression: 'cron(0 9 ? * MON-FRI *)',
  timezone: 'Europe/Berlin',
  parameters: { days: 2, region: 'us-east-1' },
  ...over,
});

describe.skipIf(!jupyterKernelAvailable())('schedules over HTTP on the local platform', () => {
  beforeAll(async () => {
    t = await startTestPlatform(home);
    const nb = await t.api('POST', '/notebooks', t.tokens.alice, {
      title: 'Sales',
      content: fixture('parameters-basic.ipynb'),
    });
    notebookId = nb.body.notebook.id;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('previews the next due times in the zone, and points at the wrong field of a bad expression', async () => {
    const good = await t.api(
      'GET',
      '/schedules/preview?expression=cron(0%209%20%3F%20*%20MON-FRI%20*)&timezone=Europe/Berlin',
      t.tokens.alice,
    );
    expect(good.status, good.text).toBe(200);
    expect(good.body.due).toHaveLength(5);
    for (const due of good.body.due) expect(new Date(due).getUTCDay()).not.toBe(0);
    expect(good.body.dueLocal[0]).toMatch(/09:00 Europe\/Berlin$/);
    const bad = await t.api('GET', '/schedules/preview?expression=cron(0%2025%20*%20*%20%3F%20*)', t.tokens.alice);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      expect.objectContaining({ path: 'expression', message: expect.stringMatching(/hours/) }),
    ]);
  });

  it('refuses a schedule with every problem in one 400, and saves a good one with its next five due times', async () => {
    const bad = await t.api(
      'POST',
      `/notebooks/${notebookId}/schedules`,
      t.tokens.alice,
      body({
        expression: 'cron(0 9 * * * *)',
        parameters: { days: 'two', colour: 'red' },
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['expression', expect.stringMatching(/days/), expect.stringMatching(/colour/)]),
    );
    const saved = await t.api('POST', `/notebooks/${notebookId}/schedules`, t.tokens.alice, body());
    expect(saved.status, saved.text).toBe(201);
    expect(saved.body).toMatchObject({ owner: 'alice', notebookTitle: 'Sales', overlap: 'skip', paused: false });
    const one = await t.api('GET', `/schedules/${saved.body.id}`, t.tokens.alice);
    expect(one.body.nextDue).toHaveLength(5);
    expect(one.body.fires).toEqual([]);
    const list = await t.api('GET', '/schedules', t.tokens.alice);
    expect(list.body.items.map((s: { id: string }) => s.id)).toContain(saved.body.id);
  });

  it('runs it now as its owner: the fire starts a run with its parameters that completes in a real kernel', async () => {
    const { body: s } = await t.api(
      'POST',
      `/notebooks/${notebookId}/schedules`,
      t.tokens.alice,
      body({ name: 'now' }),
    );
    const fired = await t.api('POST', `/schedules/${s.id}/trigger`, t.tokens.alice);
    expect(fired.status, fired.text).toBe(202);
    expect(fired.body).toMatchObject({ source: 'trigger', outcome: 'started', runId: expect.stringMatching(/^run-/) });
    const run = await waitForRun(t, fired.body.runId, t.tokens.alice);
    expect(run).toMatchObject({ status: 'COMPLETED', scheduleId: s.id, dueAt: fired.body.dueAt, owner: 'alice' });
    expect(run.parameters).toMatchObject({ days: 2, region: 'us-east-1' });
    const runs = await t.api('GET', `/runs?schedule=${s.id}`, t.tokens.alice);
    expect(runs.body.items.map((r: { id: string }) => r.id)).toEqual([run.id]);
    const after = await t.api('GET', `/schedules/${s.id}`, t.tokens.alice);
    expect(after.body.fires).toEqual([
      expect.objectContaining({ dueAt: fired.body.dueAt, runId: run.id, runStatus: 'COMPLETED' }),
    ]);
    expect(after.body.lastStatus).toBe('COMPLETED');
  }, 90_000);

  it('keeps a schedule to its owner and admins: others get 404 for it and for its runs', async () => {
    const { body: s } = await t.api(
      'POST',
      `/notebooks/${notebookId}/schedules`,
      t.tokens.alice,
      body({ name: 'mine' }),
    );
    for (const [method, path] of [
      ['GET', `/schedules/${s.id}`],
      ['PATCH', `/schedules/${s.id}`],
      ['POST', `/schedules/${s.id}/trigger`],
      ['DELETE', `/schedules/${s.id}`],
      ['GET', `/runs?schedule=${s.id}`],
    ] as const) {
      const res = await t.api(method, path, t.tokens.bob, method === 'PATCH' ? { paused: true } : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await t.api('GET', '/schedules?owner=alice', t.tokens.bob)).status).toBe(403);
    expect((await t.api('GET', `/schedules/${s.id}`, t.tokens.root)).status).toBe(200);
  });

  it('pauses, resumes and deletes, leaving the runs it started', async () => {
    const { body: s } = await t.api(
      'POST',
      `/notebooks/${notebookId}/schedules`,
      t.tokens.alice,
      body({ name: 'gone' }),
    );
    const paused = await t.api('PATCH', `/schedules/${s.id}`, t.tokens.alice, { paused: true });
    expect(paused.body).toMatchObject({ paused: true, nextDue: [] });
    const resumed = await t.api('PATCH', `/schedules/${s.id}`, t.tokens.alice, { paused: false });
    expect(resumed.body.nextDue).toHaveLength(5);
    const deleted = await t.api('DELETE', `/schedules/${s.id}`, t.tokens.alice);
    expect(deleted.status).toBe(200);
    expect((await t.api('GET', `/schedules/${s.id}`, t.tokens.alice)).status).toBe(404);
  });

  it('on start-up, fires the latest due time missed while the platform was down (missed: latest)', async () => {
    const { body: s } = await t.api(
      'POST',
      `/notebooks/${notebookId}/schedules`,
      t.tokens.alice,
      body({ name: 'hourly', expression: 'cron(0 * * * ? *)', timezone: 'UTC', missed: 'latest' }),
    );
    // As if it had been made three hours ago and the platform had been down since: the same record, older.
    const stored = (await t.platform.deps.schedules.getSchedule(s.id))!;
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
    const id = `${s.id}old`;
    await t.platform.deps.schedules.putSchedule({ ...stored, id, createdAt: threeHoursAgo, updatedAt: threeHoursAgo });
    await t.api('DELETE', `/schedules/${s.id}`, t.tokens.alice);
    const lastHour = () => `${new Date(Math.floor(Date.now() / 3600_000) * 3600_000).toISOString().slice(0, 19)}Z`;
    const before = lastHour();
    await t.close(true);
    t = await startTestPlatform(home);
    // The hour may turn while the platform restarts: the due time is the last one before or after.
    const hours = [before, lastHour()];
    const one = await t.api('GET', `/schedules/${id}`, t.tokens.alice);
    expect(hours).toContain(one.body.fires[0]?.dueAt);
    expect(one.body.fires).toEqual([
      expect.objectContaining({ dueAt: one.body.fires[0].dueAt, source: 'missed', outcome: 'started' }),
    ]);
    const run = await waitForRun(t, one.body.fires[0].runId, t.tokens.alice);
    expect(run.status).toBe('COMPLETED');
  }, 120_000);
});
