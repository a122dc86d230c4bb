import { describe, expect, it } from 'vitest';
import { MemoryScheduleStore } from '../../../src/adapters/memory/memory-schedule-store.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../src/domain/errors.ts';
import type { Schedule } from '../../../src/domain/schedule.ts';
import type { ScheduleCalendar } from '../../../src/ports/schedule-calendar.ts';
import { catchUpSchedule, missedSince } from '../../../src/use-cases/catch-up-schedule.ts';
import { createSchedule, type CreateScheduleInput } from '../../../src/use-cases/create-schedule.ts';
import { createNotebook } from '../../../src/use-cases/create-notebook.ts';
import { deleteSchedule, triggerSchedule } from '../../../src/use-cases/delete-schedule.ts';
import { finalizeRun } from '../../../src/use-cases/finalize-run.ts';
import { FireInProgress, fireSchedule } from '../../../src/use-cases/fire-schedule.ts';
import { DEFAULT_SCHEDULE_SETTINGS } from '../../../src/use-cases/schedule-deps.ts';
import { scheduleRunEnded } from '../../../src/use-cases/schedule-run-ended.ts';
import { getSchedule, listSchedules } from '../../../src/use-cases/schedule-views.ts';
import { updateSchedule } from '../../../src/use-cases/update-schedule.ts';
import { FakeClock, memoryRunDeps, people, RecordingNotifier, testRole } from '../../support/fakes.ts';
import { fixture } from '../../support/notebooks.ts';
import { makeRunTasks } from '../../../src/handlers/tasks/run-tasks.ts';

/** A calendar that remembers what it was told, and can be told to refuse. */
class RecordingCalendar implements ScheduleCalendar {
  readonly entries = new Map<string, Schedule>();
  readonly retries: Array<{ id: string; dueAt: string; attempt: number; at: string }> = [];
  refuse = false;
  async put(schedule: Schedule) {
    if (this.refuse) throw new ValidationError('Scheduler refused the schedule');
    this.entries.set(schedule.id, schedule);
  }
  async remove(id: string) {
    if (this.refuse) throw new Error('Scheduler is unreachable');
    this.entries.delete(id);
  }
  async retryAt(schedule: Schedule, dueAt: string, attempt: number, at: Date) {
    this.retries.push({ id: schedule.id, dueAt, attempt, at: at.toISOString() });
  }
}

const setup = async () => {
  const clock = new FakeClock(new Date('2027-03-01T08:00:00.000Z'));
  const deps = {
    ...memoryRunDeps(),
    clock,
    roles: [testRole('ads-lake', { teams: ['ads'] })],
    schedules: new MemoryScheduleStore(),
    calendar: new RecordingCalendar(),
    notifier: new RecordingNotifier(),
    destinations: ['data-alerts'],
    scheduleSettings: { ...DEFAULT_SCHEDULE_SETTINGS, portalUrl: 'https://orrery.example' },
  };
  const { notebook } = await createNotebook(deps, {
    user: people.alice,
    title: 'Sales',
    visibility: 'team',
    content: fixture('parameters-basic.ipynb'),
  });
  const create = (over: Partial<CreateScheduleInput> = {}) =>
    createSchedule(deps, {
      user: people.alice,
      notebookId: notebook.id,
      name: 'daily sales',
      expression: 'cron(0 9 * * ? *)',
      timezone: 'Europe/Berlin',
      parameters: { days: 3 },
      ...over,
    });
  return { deps, clock, notebook, create };
};

describe('saving a schedule', () => {
  it('records it with defaults, puts it on the calendar and shows the next due times in its zone', async () => {
    const { deps, create } = await setup();
    const view = await create();
    expect(view).toMatchObject({
      owner: 'alice',
      expression: 'cron(0 9 * * ? *)',
      timezone: 'Europe/Berlin',
      retries: 0,
      maxConcurrentRuns: 1,
      overlap: 'skip',
      missed: 'skip',
      paused: false,
      notify: { onFailure: true, onSuccess: false, destination: null },
    });
    // 09:00 in Berlin is 08:00 UTC in winter: the clock is at 08:00 exactly, so the first is tomorrow's.
    expect(view.nextDue.slice(0, 2)).toEqual(['2027-03-02T08:00:00.000Z', '2027-03-03T08:00:00.000Z']);
    expect(deps.calendar.entries.get(view.id)?.expression).toBe('cron(0 9 * * ? *)');
  });

  it('answers every problem at once: the expression, the parameters and the destination', async () => {
    const { create } = await setup();
    const err = await create({
      expression: 'cron(0 9 * * * *)',
      parameters: { days: 'seven', colour: 'red' },
      notify: { destination: 'nowhere' },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const paths = (err as ValidationError).details!.map((d) => d.path).join(' ');
    expect(paths).toMatch(/expression/);
    expect(paths).toMatch(/days/);
    expect(paths).toMatch(/colour/);
    expect(paths).toMatch(/notify\.destination/);
  });

  it('deletes the record again when the calendar refuses it, so no schedule exists that never fires', async () => {
    const { deps, create } = await setup();
    deps.calendar.refuse = true;
    await expect(create()).rejects.toBeInstanceOf(ValidationError);
    expect((await deps.schedules.listByOwner('alice', { limit: 10 })).items).toEqual([]);
  });

  it('delegates only a role the owner holds, for at most 90 days', async () => {
    const { create } = await setup();
    const view = await create({ role: 'ads-lake', delegationDays: 30 });
    expect(view.delegation).toEqual({
      role: 'ads-lake',
      grantedAt: '2027-03-01T08:00:00.000Z',
      expiresAt: '2027-03-31T08:00:00.000Z',
    });
    await expect(create({ role: 'risk-prod' })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("keeps other users' schedules out of reach: a 404 to read, edit or delete, a 403 to list", async () => {
    const { deps, create } = await setup();
    const { id } = await create();
    await expect(getSchedule(deps, { user: people.bob, id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateSchedule(deps, { user: people.bob, id, paused: true })).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteSchedule(deps, { user: people.bob, id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(listSchedules(deps, { user: people.bob, owner: 'alice', limit: 10 })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect((await listSchedules(deps, { user: people.root, owner: '*', limit: 10 })).items).toHaveLength(1);
  });
});

describe('firing a due time', () => {
  it('starts exactly one run however many times the same due time is delivered', async () => {
    const { deps, create } = await setup();
    const { id } = await create();
    const due = { scheduleId: id, dueAt: '2027-03-02T08:00:00Z', source: 'scheduler' as const };
    const results = await Promise.allSettled([
      fireSchedule(deps, due),
      fireSchedule(deps, due),
      fireSchedule(deps, due),
    ]);
    // Deliveries that meet the first one's fresh claim fail, so Scheduler delivers them again later.
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(refused.every((e) => e instanceof FireInProgress)).toBe(true);
    const later = await Promise.all([fireSchedule(deps, due), fireSchedule(deps, due)]);
    expect(deps.workflows.started).toHaveLength(1);
    expect(later.map((f) => [f?.outcome, f?.runId])).toEqual([
      ['started', deps.workflows.started[0]],
      ['started', deps.workflows.started[0]],
    ]);
    const run = await deps.runs.getRun(deps.workflows.started[0]!);
    expect(run).toMatchObject({ scheduleId: id, dueAt: '2027-03-02T08:00:00Z', attempt: 0, owner: 'alice' });
    expect(run?.parameters).toMatchObject({ days: 3 });
  });

  it('finishes a claim whose first delivery stopped before the run was recorded, with the same run id', async () => {
    const { deps, create } = await setup();
    const { id } = await create();
    const dueAt = '2027-03-02T08:00:00Z';
    await deps.schedules.claimFire({
      scheduleId: id,
      dueAt,
      owner: 'alice',
      source: 'scheduler',
      outcome: 'claimed',
      runId: null,
      attempt: 0,
      reason: null,
      firedAt: '2027-03-01T07:50:00.000Z',
      updatedAt: '2027-03-01T07:50:00.000Z',
    });
    const fire = await fireSchedule(deps, { scheduleId: id, dueAt, source: 'scheduler' });
    expect(fire?.outcome).toBe('started');
    expect(deps.workflows.started).toEqual([fire!.runId]);
  });

  it('skips a due time while its earlier run still runs, or queues it and starts it when that run ends', async () => {
    const { deps, create } = await setup();
    const skip = await create();
    await fireSchedule(deps, { scheduleId: skip.id, dueAt: '2027-03-02T08:00:00Z', source: 'scheduler' });
    const second = await fireSchedule(deps, {
      scheduleId: skip.id,
      dueAt: '2027-03-03T08:00:00Z',
      source: 'scheduler',
    });
    expect(second).toMatchObject({ outcome: 'skipped', runId: null });
    expect(second!.reason).toMatch(/maxConcurrentRuns 1/);

    const queue = await create({ overlap: 'queue' });
    const first = await fireSchedule(deps, { scheduleId: queue.id, dueAt: '2027-03-02T08:00:00Z', source: 'timer' });
    const waiting = await fireSchedule(deps, { scheduleId: queue.id, dueAt: '2027-03-03T08:00:00Z', source: 'timer' });
    expect(waiting?.outcome).toBe('queued');
    const ended = await finalizeRun(deps, { runId: first!.runId!, failure: { Error: 'Stopped', Cause: 'test' } });
    const next = await scheduleRunEnded(deps, ended);
    expect(next).toMatchObject({ dueAt: '2027-03-03T08:00:00Z', outcome: 'started' });
  });

  it('records why a fire could not start and tells the owner, when the parameters no longer fit', async () => {
    const { deps, create } = await setup();
    const { id } = await create({ parameters: { days: 3 } });
    await deps.schedules.updateSchedule(id, 1, { parameters: { weeks: 1 }, updatedAt: 'now' });
    const fire = await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-02T08:00:00Z', source: 'scheduler' });
    expect(fire?.outcome).toBe('failed');
    expect(fire?.reason).toMatch(/weeks/);
    expect(deps.workflows.started).toEqual([]);
    expect(deps.notifier.notices).toHaveLength(1);
    expect(deps.notifier.notices[0]).toMatchObject({ kind: 'schedule-failed', user: 'alice', ref: id });
  });

  it('refuses to run with a delegation that ended, and warns once within three days of its end', async () => {
    const { deps, clock, create } = await setup();
    const { id } = await create({ role: 'ads-lake', delegationDays: 5 });
    clock.advance(3 * 86_400_000);
    const warned = await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-04T08:00:00Z', source: 'scheduler' });
    expect(warned?.outcome).toBe('started');
    expect(deps.notifier.notices.map((n) => n.kind)).toEqual(['delegation-expiring']);
    await finalizeRun(deps, { runId: warned!.runId!, failure: { Error: 'Stopped', Cause: 'test' } });
    await scheduleRunEnded(deps, (await deps.runs.getRun(warned!.runId!))!);
    clock.advance(3 * 86_400_000);
    const refused = await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-07T08:00:00Z', source: 'scheduler' });
    expect(refused?.outcome).toBe('failed');
    expect(refused?.reason).toMatch(/delegation of role 'ads-lake' ended/);
    expect(deps.notifier.notices.map((n) => n.kind)).toEqual(['delegation-expiring', 'schedule-failed']);
  });

  it('starts a failed run again after the delay, for the same due time, as many times as asked', async () => {
    const { deps, create } = await setup();
    const { id } = await create({ retries: 1, retryDelaySeconds: 120 });
    const fire = await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-02T08:00:00Z', source: 'scheduler' });
    const failed = await finalizeRun(deps, { runId: fire!.runId!, failure: { Error: 'Boom', Cause: 'cell 2' } });
    await scheduleRunEnded(deps, failed);
    expect(deps.calendar.retries).toEqual([{ id, dueAt: '2027-03-02T08:00:00Z', attempt: 1, at: expect.any(String) }]);
    const retry = await fireSchedule(deps, {
      scheduleId: id,
      dueAt: '2027-03-02T08:00:00Z',
      source: 'retry',
      attempt: 1,
    });
    const again = await fireSchedule(deps, {
      scheduleId: id,
      dueAt: '2027-03-02T08:00:00Z',
      source: 'retry',
      attempt: 1,
    });
    expect(retry?.runId).not.toBe(fire?.runId);
    expect(again?.runId).toBe(retry?.runId);
    expect(deps.workflows.started).toHaveLength(2);
    const second = await finalizeRun(deps, { runId: retry!.runId!, failure: { Error: 'Boom', Cause: 'cell 2' } });
    await scheduleRunEnded(deps, second);
    expect(deps.calendar.retries).toHaveLength(1);
  });

  it("retries a run whose workflow could not start, and tells the owner once for a streak of fires that can't start", async () => {
    const { deps, create } = await setup();
    const { id } = await create({ retries: 1 });
    deps.workflows.failStart = true;
    const first = await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-02T08:00:00Z', source: 'scheduler' });
    const second = await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-03T08:00:00Z', source: 'scheduler' });
    expect(first).toMatchObject({ outcome: 'failed', runId: expect.stringMatching(/^run-/) });
    expect(first?.reason).toMatch(/Step Functions is unavailable/);
    expect(deps.calendar.retries.map((r) => [r.dueAt, r.attempt])).toEqual([
      ['2027-03-02T08:00:00Z', 1],
      ['2027-03-03T08:00:00Z', 1],
    ]);
    expect(second?.outcome).toBe('failed');
    expect(deps.notifier.notices.map((n) => n.kind)).toEqual(['schedule-failed']);
    expect((await deps.schedules.getSchedule(id))?.activeRunIds).toEqual([]);
  });

  it('warns at the last fire before a delegation ends when the next due time is past it', async () => {
    const { deps, create } = await setup();
    const { id } = await create({ expression: 'cron(0 9 ? * MON *)', role: 'ads-lake', delegationDays: 12 });
    const fire = await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-01T08:00:00Z', source: 'scheduler' });
    expect(fire?.outcome).toBe('started');
    expect(deps.notifier.notices.map((n) => n.kind)).toEqual([]);
    const { clock } = deps;
    clock.advance(7 * 86_400_000);
    await finalizeRun(deps, { runId: fire!.runId!, failure: { Error: 'Stopped', Cause: 'test' } });
    await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-08T08:00:00Z', source: 'scheduler' });
    expect(deps.notifier.notices.map((n) => n.kind)).toEqual(['delegation-expiring']);
  });

  it('starts no retry and no queued fire of a paused schedule when a run ends', async () => {
    const { deps, create } = await setup();
    const { id } = await create({ retries: 2, overlap: 'queue' });
    const first = await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-02T08:00:00Z', source: 'scheduler' });
    await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-03T08:00:00Z', source: 'scheduler' });
    await updateSchedule(deps, { user: people.alice, id, paused: true });
    const failed = await finalizeRun(deps, { runId: first!.runId!, failure: { Error: 'Boom', Cause: 'x' } });
    expect(await scheduleRunEnded(deps, failed)).toBeNull();
    expect(deps.calendar.retries).toEqual([]);
    expect(
      await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-02T08:00:00Z', source: 'retry', attempt: 1 }),
    ).toBeNull();
  });

  it('starts nothing for a paused schedule from the calendar, but runs it now when asked', async () => {
    const { deps, create } = await setup();
    const { id } = await create({ paused: true });
    expect(await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-02T08:00:00Z', source: 'timer' })).toBeNull();
    const now = await triggerSchedule(deps, { user: people.alice, id });
    expect(now).toMatchObject({ source: 'trigger', outcome: 'started', dueAt: '2027-03-01T08:00:00Z' });
  });
});

describe("a run's end", () => {
  it('runs what follows once, on the Finalize call that ends the run, not on a repeated call', async () => {
    const { deps, create } = await setup();
    const { id } = await create();
    const fire = await fireSchedule(deps, { scheduleId: id, dueAt: '2027-03-02T08:00:00Z', source: 'scheduler' });
    const ended: string[] = [];
    const tasks = makeRunTasks(deps, undefined, async (run) => {
      ended.push(run.id);
    });
    const input = { runId: fire!.runId!, failure: { Error: 'Boom', Cause: 'cell 2' } };
    await tasks.finalize(input);
    await tasks.finalize(input);
    expect(ended).toEqual([fire!.runId]);
  });
});

describe('missed due times', () => {
  const downFor = async (missed: 'skip' | 'latest' | 'all') => {
    const { deps, clock, create } = await setup();
    const view = await create({ expression: 'cron(0 * * * ? *)', missed, catchUpSeconds: 3 * 3600 });
    clock.advance(5 * 3600_000 + 60_000);
    const schedule = (await deps.schedules.getSchedule(view.id))!;
    const fires = await catchUpSchedule(deps, schedule, missedSince(schedule));
    return { deps, fires, schedule: (await deps.schedules.getSchedule(view.id))! };
  };

  it('skip starts nothing and moves past them', async () => {
    const { deps, fires, schedule } = await downFor('skip');
    expect(fires).toEqual([]);
    expect(deps.workflows.started).toEqual([]);
    expect(schedule).toMatchObject({ lastDueAt: '2027-03-01T13:00:00Z', lastStatus: 'MISSED' });
  });

  it('latest starts the last one only', async () => {
    const { fires } = await downFor('latest');
    expect(fires.map((f) => [f.dueAt, f.source])).toEqual([['2027-03-01T13:00:00Z', 'missed']]);
  });

  it('all starts each within the catch-up window, oldest first, the rest waiting their turn', async () => {
    const { deps, fires } = await downFor('all');
    expect(fires.map((f) => [f.dueAt, f.outcome])).toEqual([
      ['2027-03-01T11:00:00Z', 'started'],
      ['2027-03-01T12:00:00Z', 'queued'],
      ['2027-03-01T13:00:00Z', 'queued'],
    ]);
    const ended = await finalizeRun(deps, { runId: fires[0]!.runId!, failure: { Error: 'Stopped', Cause: 'test' } });
    expect(await scheduleRunEnded(deps, ended)).toMatchObject({ dueAt: '2027-03-01T12:00:00Z', outcome: 'started' });
  });

  it('latest finds the last due time of a frequent schedule after a month down', async () => {
    const { deps, clock, create } = await setup();
    const view = await create({ expression: 'rate(1 minute)', missed: 'latest' });
    clock.advance(30 * 86_400_000 + 30_000);
    const schedule = (await deps.schedules.getSchedule(view.id))!;
    const fires = await catchUpSchedule(deps, schedule, missedSince(schedule));
    expect(fires.map((f) => f.dueAt)).toEqual(['2027-03-31T08:00:00Z']);
  });

  it('on resume, handles the due times missed while paused by the policy', async () => {
    const { deps, clock, create } = await setup();
    const view = await create({ expression: 'cron(0 * * * ? *)', missed: 'latest', paused: true });
    clock.advance(3 * 3600_000 + 60_000);
    await updateSchedule(deps, { user: people.alice, id: view.id, paused: false });
    const fires = (await deps.schedules.listFires(view.id, { limit: 10 })).items;
    expect(fires.map((f) => [f.dueAt, f.source, f.outcome])).toEqual([['2027-03-01T11:00:00Z', 'missed', 'started']]);
  });
});

describe('editing and deleting', () => {
  it('puts the record back as it was when the calendar refuses an edit', async () => {
    const { deps, create } = await setup();
    const { id } = await create();
    deps.calendar.refuse = true;
    await expect(updateSchedule(deps, { user: people.alice, id, expression: 'cron(0 10 * * ? *)' })).rejects.toThrow(
      /Scheduler refused/,
    );
    expect((await deps.schedules.getSchedule(id))?.expression).toBe('cron(0 9 * * ? *)');
    deps.calendar.refuse = false;
    const edited = await updateSchedule(deps, { user: people.alice, id, expression: 'cron(0 10 * * ? *)' });
    expect(edited.expression).toBe('cron(0 10 * * ? *)');
  });

  it('only the owner renews a delegation; an admin may pause but not grant a role', async () => {
    const { deps, create } = await setup();
    const { id } = await create();
    await expect(updateSchedule(deps, { user: people.root, id, role: 'ads-lake' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect((await updateSchedule(deps, { user: people.root, id, paused: true })).paused).toBe(true);
    expect(deps.calendar.entries.get(id)?.paused).toBe(true);
  });

  it('changes nothing when the calendar cannot be reached on delete, and removes both when it can', async () => {
    const { deps, create } = await setup();
    const { id } = await create();
    deps.calendar.refuse = true;
    await expect(deleteSchedule(deps, { user: people.alice, id })).rejects.toThrow(/unreachable/);
    expect(await deps.schedules.getSchedule(id)).not.toBeNull();
    deps.calendar.refuse = false;
    await deleteSchedule(deps, { user: people.alice, id });
    expect(await deps.schedules.getSchedule(id)).toBeNull();
    expect(deps.calendar.entries.has(id)).toBe(false);
  });
});
