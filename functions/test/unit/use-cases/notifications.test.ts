import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../../../src/adapters/memory/memory-run-store.ts';
import { HmacCursorCodec } from '../../../src/adapters/system/hmac-cursor-codec.ts';
import { DEFAULT_PROFILES } from '../../../src/config/profiles-config.ts';
import { ForbiddenError, ValidationError } from '../../../src/domain/errors.ts';
import type { NotificationDelivery } from '../../../src/ports/notification-log.ts';
import { listNotifications } from '../../../src/use-cases/list-notifications.ts';
import { notifyRunEnded } from '../../../src/use-cases/notify-run-ended.ts';
import { sendDigests } from '../../../src/use-cases/send-digests.ts';
import { FakeClock, people } from '../../support/fakes.ts';
import {
  ArrayNotificationLog,
  FixedScheduleStore,
  quietNotify,
  RecordingNotifier,
  testFire,
  testRun,
  testSchedule,
} from '../../support/notification-fakes.ts';
import type { Run } from '../../../src/domain/run.ts';

const SETTINGS = { destinations: [], portalUrl: 'https://orrery.example.com' };

const runDeps = async (schedules: FixedScheduleStore, runs: Run[] = []) => {
  const store = new MemoryRunStore();
  for (const r of runs) await store.createRun(r);
  return {
    runs: store,
    schedules,
    notifier: new RecordingNotifier(),
    notifySettings: SETTINGS,
    profiles: DEFAULT_PROFILES as typeof DEFAULT_PROFILES,
    clock: new FakeClock(new Date('2026-01-05T00:30:00.000Z')),
  };
};

// Earlier successful runs of the notebook, each created a day before the next, newest first in listings.
const earlierRuns = (durations: number[], over: Partial<Run> = {}): Run[] =>
  durations.map((seconds, i) =>
    testRun({
      id: `run-earlier${String(i).padStart(6, '0')}`,
      createdAt: new Date(Date.parse('2025-12-01T06:00:00.000Z') + i * 86_400_000).toISOString(),
      durationSeconds: seconds,
      ...over,
    }),
  );

describe('notifyRunEnded', () => {
  it("sends a failed scheduled run's notice to its schedule's destination", async () => {
    // Prepare
    const schedule = testSchedule({ notify: quietNotify({ onFailure: true, destination: 'data-alerts' }) });
    const deps = await runDeps(new FixedScheduleStore([schedule]));
    const run = testRun({
      status: 'FAILED',
      error: { reason: 'boom', cellIndex: 1, ename: 'E', evalue: 'x', traceback: [] },
    });

    // Act
    const result = await notifyRunEnded(deps, { run });

    // Assess
    expect(result).toEqual({ sent: ['run-failed'] });
    expect(deps.notifier.sent).toMatchObject([
      { user: 'alice', kind: 'run-failed', destination: 'data-alerts', ref: run.id },
    ]);
  });

  it("learns from the notebook's own successful runs, leaving out failures and the run itself", async () => {
    // Prepare: five quick successes, failures that took long (which must not count), then a slow run.
    const schedule = testSchedule({ notify: quietNotify({ learnedDuration: true }) });
    const successes = earlierRuns([60, 62, 64, 66, 68]);
    const failures = earlierRuns([5000, 5000], { status: 'FAILED' }).map((r) => ({ ...r, id: `${r.id}f` }));
    const run = testRun({ durationSeconds: 120 });
    const deps = await runDeps(new FixedScheduleStore([schedule]), [...successes, ...failures, run]);

    // Act
    const result = await notifyRunEnded(deps, { run });

    // Assess
    expect(result).toEqual({ sent: ['run-slow'] });
    expect(deps.notifier.sent[0]!.text).toContain('the 95th percentile of its last 5 successful runs');
  });

  it('reads at most two pages of the notebook runs for the learned duration', async () => {
    // Prepare: 150 failed runs hide the successes behind them.
    const schedule = testSchedule({ notify: quietNotify({ learnedDuration: true }) });
    const failures = earlierRuns(
      Array.from({ length: 150 }, () => 10),
      { status: 'FAILED' },
    );
    const deps = await runDeps(new FixedScheduleStore([schedule]), failures);
    let reads = 0;
    const listRuns = deps.runs.listRuns.bind(deps.runs);
    deps.runs.listRuns = async (source, page) => {
      reads += 1;
      return listRuns(source, page);
    };

    // Act
    const result = await notifyRunEnded(deps, { run: testRun({ durationSeconds: 9999 }) });

    // Assess
    expect(reads).toBe(2);
    expect(result).toEqual({ sent: [] });
  });

  it('tells nothing about a run started by hand or one whose schedule was deleted', async () => {
    // Prepare
    const deps = await runDeps(new FixedScheduleStore([]));

    // Act
    const byHand = await notifyRunEnded(deps, { run: testRun({ scheduleId: null, status: 'FAILED' }) });
    const orphan = await notifyRunEnded(deps, { run: testRun({ status: 'FAILED' }) });

    // Assess
    expect(byHand).toEqual({ sent: [] });
    expect(orphan).toEqual({ sent: [] });
    expect(deps.notifier.sent).toEqual([]);
  });

  it("prices the run with its profile's hourly price, and not at all once the profile is gone", async () => {
    // Prepare: half an hour at $3 an hour is $1.50, over the $1 allowed.
    const schedule = testSchedule({ notify: quietNotify({ costOverUsd: 1 }) });
    const deps = await runDeps(new FixedScheduleStore([schedule]));
    deps.profiles = [{ ...DEFAULT_PROFILES[0]!, slug: 'gpu-big', hourlyPrice: 3 }];

    // Act
    await notifyRunEnded(deps, { run: testRun({ profile: 'gpu-big', durationSeconds: 1800 }) });
    await notifyRunEnded(deps, { run: testRun({ profile: 'gone', durationSeconds: 1800 }) });

    // Assess
    expect(deps.notifier.sent.map((n) => n.subject)).toEqual(["Scheduled run of 'Sales model' cost about $1.50"]);
  });
});

describe('sendDigests', () => {
  it("sends each owner one digest of yesterday's runs of the schedules that asked, failures first", async () => {
    // Prepare
    const sales = testSchedule({ notify: quietNotify({ digest: true }) });
    const churn = testSchedule({
      id: 'sch-churn',
      name: 'churn',
      notebookTitle: 'Churn',
      notify: quietNotify({ digest: true }),
    });
    const quiet = testSchedule({ id: 'sch-quiet', name: 'quiet' });
    const bobs = testSchedule({ id: 'sch-bob', owner: 'bob', name: 'bobs', notify: quietNotify({ digest: true }) });
    const fires = [
      testFire('2026-01-04T06:00:00Z', { runId: 'run-ok' }),
      testFire('2026-01-04T07:00:00Z', { scheduleId: 'sch-churn', runId: 'run-bad' }),
      testFire('2026-01-03T06:00:00Z', { runId: 'run-older' }),
      testFire('2026-01-05T00:00:00Z', { runId: 'run-today' }),
      testFire('2026-01-04T06:00:00Z', { scheduleId: 'sch-quiet', runId: 'run-quiet' }),
      testFire('2026-01-04T08:00:00Z', { scheduleId: 'sch-bob', owner: 'bob', outcome: 'failed', reason: 'no role' }),
    ];
    const runs = [
      testRun({ id: 'run-ok' }),
      testRun({
        id: 'run-bad',
        status: 'FAILED',
        error: { reason: 'boom', cellIndex: 0, ename: null, evalue: null, traceback: [] },
      }),
      testRun({ id: 'run-older' }),
      testRun({ id: 'run-today' }),
      testRun({ id: 'run-quiet' }),
    ];
    const deps = await runDeps(new FixedScheduleStore([sales, churn, quiet, bobs], fires), runs);

    // Act
    const sweep = await sendDigests(deps);

    // Assess
    expect(sweep).toEqual({ day: '2026-01-04', schedules: 3, sent: 2 });
    const alice = deps.notifier.sent.find((n) => n.user === 'alice')!;
    expect(alice.subject).toBe('Orrery digest for 2026-01-04: 1 of 2 scheduled runs failed');
    expect(alice.text.split('\n').map((l) => l.slice(0, 22))).toEqual([
      "✗ 07:00 churn ('Churn'",
      '✓ 06:00 nightly-sales ',
    ]);
    const bob = deps.notifier.sent.find((n) => n.user === 'bob')!;
    expect(bob.text).toContain('failed, no role');
  });

  it('sends one digest per destination the schedules name', async () => {
    // Prepare
    const a = testSchedule({ notify: quietNotify({ digest: true, destination: 'data-alerts' }) });
    const b = testSchedule({ id: 'sch-b', name: 'b', notify: quietNotify({ digest: true, destination: 'ops' }) });
    const fires = [testFire('2026-01-04T06:00:00Z'), testFire('2026-01-04T06:00:00Z', { scheduleId: 'sch-b' })];
    const deps = await runDeps(new FixedScheduleStore([a, b], fires));

    // Act
    await sendDigests(deps);

    // Assess
    expect(deps.notifier.sent.map((n) => n.destination).sort()).toEqual(['data-alerts', 'ops']);
  });

  it("reads a busy schedule's fires in bounded pages and says when it showed only the latest", async () => {
    // Prepare: one fire a minute all day.
    const busy = testSchedule({ notify: quietNotify({ digest: true }) });
    const fires = Array.from({ length: 1440 }, (_, i) =>
      testFire(new Date(Date.parse('2026-01-04T00:00:00Z') + i * 60_000).toISOString().replace('.000', ''), {
        outcome: 'skipped',
      }),
    );
    const store = new FixedScheduleStore([busy], fires);
    const deps = await runDeps(store);

    // Act
    await sendDigests(deps);

    // Assess
    expect(store.firePages).toBe(3);
    expect(deps.notifier.sent[0]!.subject).toBe('Orrery digest for 2026-01-04: 288 scheduled runs, none failed');
    expect(deps.notifier.sent[0]!.text).toContain('its latest are shown');
  });
});

const delivery = (id: string, user: string, createdAt: string): NotificationDelivery => ({
  id,
  user,
  kind: 'run-failed',
  destination: null,
  subject: 's',
  text: 't',
  ref: null,
  status: 'logged',
  attempts: 0,
  error: null,
  createdAt,
});

const logDeps = async () => {
  const notificationLog = new ArrayNotificationLog();
  await notificationLog.record(delivery('ntf-1', 'alice', '2026-01-05T09:00:00.000Z'));
  await notificationLog.record(delivery('ntf-2', 'bob', '2026-01-05T09:01:00.000Z'));
  await notificationLog.record(delivery('ntf-3', 'alice', '2026-01-05T09:02:00.000Z'));
  return { notificationLog, cursors: new HmacCursorCodec('test-secret-test-secret') };
};

describe('listNotifications', () => {
  it("lists the caller's own notifications, newest first, a page at a time", async () => {
    // Prepare
    const deps = await logDeps();

    // Act
    const first = await listNotifications(deps, { user: people.alice, limit: 1 });
    const second = await listNotifications(deps, { user: people.alice, limit: 1, cursor: first.nextCursor! });

    // Assess
    expect(first.items.map((d) => d.id)).toEqual(['ntf-3']);
    expect(second.items.map((d) => d.id)).toEqual(['ntf-1']);
    expect(second.nextCursor).toBeNull();
  });

  it("refuses another user's notifications to anyone but an admin", async () => {
    // Prepare
    const deps = await logDeps();

    // Act
    const other = listNotifications(deps, { user: people.alice, forUser: 'bob', limit: 10 });
    const everyone = listNotifications(deps, { user: people.alice, forUser: '*', limit: 10 });

    // Assess
    await expect(other).rejects.toBeInstanceOf(ForbiddenError);
    await expect(everyone).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("gives admins one user's notifications or everyone's", async () => {
    // Prepare
    const deps = await logDeps();

    // Act
    const bobs = await listNotifications(deps, { user: people.root, forUser: 'bob', limit: 10 });
    const all = await listNotifications(deps, { user: people.root, forUser: '*', limit: 10 });

    // Assess
    expect(bobs.items.map((d) => d.id)).toEqual(['ntf-2']);
    expect(all.items.map((d) => d.id)).toEqual(['ntf-3', 'ntf-2', 'ntf-1']);
  });

  it("refuses a cursor from another user's listing", async () => {
    // Prepare
    const deps = await logDeps();
    const rootsPage = await listNotifications(deps, { user: people.root, forUser: '*', limit: 1 });

    // Act
    const reused = listNotifications(deps, { user: people.alice, limit: 1, cursor: rootsPage.nextCursor! });

    // Assess
    await expect(reused).rejects.toBeInstanceOf(ValidationError);
  });
});
