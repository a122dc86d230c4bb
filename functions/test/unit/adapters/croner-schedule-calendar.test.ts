import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CronerScheduleCalendar, type DueDelivery } from '../../../src/adapters/local/croner-schedule-calendar.ts';
import type { Schedule } from '../../../src/domain/schedule.ts';
import { sampleSchedule } from '../../support/schedule-samples.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = new Date('2027-01-01T11:00:00Z');

const schedule = (over: Partial<Schedule> = {}): Schedule =>
  sampleSchedule(0, {
    id: 'sch-1',
    name: 'noon',
    expression: 'cron(0 12 * * ? *)',
    timezone: 'UTC',
    parameters: {},
    catchUpSeconds: 0,
    createdAt: START.toISOString(),
    updatedAt: START.toISOString(),
    ...over,
  });

describe('CronerScheduleCalendar', () => {
  let delivered: DueDelivery[];
  let calendar: CronerScheduleCalendar;

  beforeEach(() => {
    vi.useFakeTimers({ now: START });
    delivered = [];
    calendar = new CronerScheduleCalendar(async (due) => {
      delivered.push(due);
    });
  });

  afterEach(() => {
    calendar.stop();
    vi.useRealTimers();
  });

  const dueAts = () => delivered.map((d) => d.dueAt);

  it('fires a cron schedule at each due time with that due time, once a day at noon', async () => {
    // Act
    await calendar.put(schedule());
    await vi.advanceTimersByTimeAsync(2 * DAY);

    // Assess
    expect(delivered).toEqual([
      { scheduleId: 'sch-1', dueAt: '2027-01-01T12:00:00Z', source: 'timer', attempt: 0 },
      { scheduleId: 'sch-1', dueAt: '2027-01-02T12:00:00Z', source: 'timer', attempt: 0 },
    ]);
  });

  it('fires nothing before the due time', async () => {
    // Act
    await calendar.put(schedule());
    await vi.advanceTimersByTimeAsync(HOUR - 1);

    // Assess
    expect(delivered).toEqual([]);
  });

  it('stops firing a schedule once it is paused', async () => {
    // Prepare
    await calendar.put(schedule());
    await vi.advanceTimersByTimeAsync(DAY);

    // Act
    await calendar.put(schedule({ paused: true, pausedAt: new Date().toISOString() }));
    await vi.advanceTimersByTimeAsync(3 * DAY);

    // Assess
    expect(dueAts()).toEqual(['2027-01-01T12:00:00Z']);
  });

  it('stops firing a schedule once it is removed', async () => {
    // Prepare
    await calendar.put(schedule());

    // Act
    await calendar.remove('sch-1');
    await vi.advanceTimersByTimeAsync(3 * DAY);

    // Assess
    expect(delivered).toEqual([]);
  });

  it('keeps one timer per schedule: an edit replaces the old due times', async () => {
    // Prepare
    await calendar.put(schedule());

    // Act
    await calendar.put(schedule({ expression: 'cron(0 13 * * ? *)', revision: 2 }));
    await vi.advanceTimersByTimeAsync(DAY);

    // Assess
    expect(dueAts()).toEqual(['2027-01-01T13:00:00Z']);
  });

  it('fires a rate schedule on its creation time plus whole intervals', async () => {
    // Prepare
    const rate = schedule({ expression: 'rate(5 minutes)', createdAt: '2027-01-01T10:58:30.000Z' });

    // Act
    await calendar.put(rate);
    await vi.advanceTimersByTimeAsync(12 * MIN);

    // Assess
    expect(dueAts()).toEqual(['2027-01-01T11:03:30Z', '2027-01-01T11:08:30Z']);
  });

  it('delivers a retry once, at its time, with its attempt and the original due time', async () => {
    // Prepare
    await calendar.put(schedule({ paused: true }));

    // Act
    await calendar.retryAt(schedule({ paused: true }), '2027-01-01T10:00:00Z', 2, new Date('2027-01-01T11:10:00Z'));
    await vi.advanceTimersByTimeAsync(10 * MIN - 1);
    const early = delivered.length;
    await vi.advanceTimersByTimeAsync(DAY);

    // Assess
    expect(early).toBe(0);
    expect(delivered).toEqual([{ scheduleId: 'sch-1', dueAt: '2027-01-01T10:00:00Z', source: 'retry', attempt: 2 }]);
  });

  it('drops a waiting retry when the schedule is removed', async () => {
    // Prepare
    await calendar.retryAt(schedule(), '2027-01-01T10:00:00Z', 1, new Date('2027-01-01T11:10:00Z'));

    // Act
    await calendar.remove('sch-1');
    await vi.advanceTimersByTimeAsync(HOUR);

    // Assess
    expect(delivered).toEqual([]);
  });

  it('skips a due time that falls in the spring-forward gap', async () => {
    // Prepare
    vi.setSystemTime(new Date('2027-03-13T00:00:00Z'));
    const early = schedule({ expression: 'cron(30 2 * * ? *)', timezone: 'America/New_York' });

    // Act
    await calendar.put(early);
    await vi.advanceTimersByTimeAsync(3 * DAY);

    // Assess
    expect(dueAts()).toEqual(['2027-03-13T07:30:00Z', '2027-03-15T06:30:00Z']);
  });

  it('waits past the longest timeout Node allows for a yearly schedule, and fires on the day', async () => {
    // Prepare
    await calendar.put(schedule({ expression: 'cron(0 12 1 JUN ? *)' }));

    // Act
    await vi.advanceTimersByTimeAsync(new Date('2027-06-01T12:00:00Z').getTime() - START.getTime() - 1);
    const early = delivered.length;
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(early).toBe(0);
    expect(dueAts()).toEqual(['2027-06-01T12:00:00Z']);
  });

  it('keeps firing after a delivery fails', async () => {
    // Prepare
    const seen: string[] = [];
    calendar.stop();
    calendar = new CronerScheduleCalendar(async (due) => {
      seen.push(due.dueAt);
      throw new Error('store unavailable');
    });

    // Act
    await calendar.put(schedule());
    await vi.advanceTimersByTimeAsync(2 * DAY);

    // Assess
    expect(seen).toEqual(['2027-01-01T12:00:00Z', '2027-01-02T12:00:00Z']);
  });

  it('fires nothing more once stopped', async () => {
    // Prepare
    await calendar.put(schedule());
    await calendar.retryAt(schedule(), '2027-01-01T10:00:00Z', 1, new Date('2027-01-01T11:10:00Z'));

    // Act
    calendar.stop();
    await vi.advanceTimersByTimeAsync(2 * DAY);

    // Assess
    expect(delivered).toEqual([]);
  });

  it('holds one timer per schedule and fires a thousand schedules due the same minute once each', async () => {
    // Prepare
    for (let i = 0; i < 1_000; i += 1) await calendar.put(schedule({ id: `sch-${i}` }));
    await calendar.put(schedule({ id: 'sch-0' }));
    const timers = vi.getTimerCount();

    // Act
    await vi.advanceTimersByTimeAsync(HOUR);

    // Assess
    expect(timers).toBe(1_000);
    expect(new Set(delivered.map((d) => `${d.scheduleId} ${d.dueAt}`)).size).toBe(1_000);
    expect(delivered).toHaveLength(1_000);
  });
});
