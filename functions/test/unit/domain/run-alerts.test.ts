import { describe, expect, it } from 'vitest';
import {
  estimatedCostUsd,
  formatDuration,
  learnedLimit,
  percentile,
  type RunAlertInput,
  runAlerts,
} from '../../../src/domain/run-alerts.ts';
import { quietNotify, testRun, testSchedule } from '../../support/notification-fakes.ts';

const input = (over: Partial<RunAlertInput> = {}): RunAlertInput => ({
  run: testRun(),
  schedule: testSchedule(),
  history: [],
  hourlyPrice: 0.2,
  portalUrl: 'https://orrery.example.com/',
  ...over,
});

// Twenty successful runs of about two minutes and one slow outlier (900 s): the 19th smallest is 140 s.
const TWENTY = [100, 120, 110, 130, 105, 115, 125, 135, 140, 102, 108, 112, 118, 122, 128, 132, 138, 900, 101, 103];

const failedRun = testRun({
  status: 'FAILED',
  error: {
    reason: "cell 4 raised KeyError: 'region'",
    cellIndex: 4,
    ename: 'KeyError',
    evalue: "'region'",
    traceback: ['Traceback (most recent call last)', '  File "<cell>", line 2'],
  },
});

describe('runAlerts', () => {
  it('reports a failed run with its notebook, parameters, failing cell, error and a link, to the chosen destination', () => {
    // Prepare
    const schedule = testSchedule({ notify: quietNotify({ onFailure: true, destination: 'data-alerts' }) });

    // Act
    const notices = runAlerts(input({ run: failedRun, schedule }));

    // Assess
    expect(notices).toEqual([
      {
        user: 'alice',
        kind: 'run-failed',
        destination: 'data-alerts',
        ref: 'run-0000000000000001',
        subject: "Scheduled run of 'Sales model' failed",
        text: "'nightly-sales' ran 'Sales model' and it failed: cell 4 raised KeyError: 'region'.",
        fields: [
          { label: 'Notebook', value: 'Sales model (version 3)' },
          { label: 'Schedule', value: 'nightly-sales' },
          { label: 'Due', value: '2026-01-04T06:00:00Z' },
          { label: 'Parameters', value: '{"region":"eu"}' },
          { label: 'Duration', value: '10 min' },
          { label: 'Failing cell', value: '#4' },
          { label: 'Error', value: "KeyError: 'region'" },
        ],
        detail: 'KeyError: \'region\'\nTraceback (most recent call last)\n  File "<cell>", line 2',
        link: { label: 'Open the run', url: 'https://orrery.example.com/runs/run-0000000000000001' },
      },
    ]);
  });

  it('says nothing of a failure the schedule did not ask about, nor of a run stopped on purpose', () => {
    // Prepare
    const asks = testSchedule({ notify: quietNotify({ onFailure: true }) });

    // Act
    const unasked = runAlerts(input({ run: failedRun }));
    const stopped = runAlerts(input({ run: testRun({ status: 'STOPPED' }), schedule: asks }));

    // Assess
    expect(unasked).toEqual([]);
    expect(stopped).toEqual([]);
  });

  it('reports a success only when the schedule opted in', () => {
    // Act
    const quiet = runAlerts(input());
    const opted = runAlerts(input({ schedule: testSchedule({ notify: quietNotify({ onSuccess: true }) }) }));

    // Assess
    expect(quiet).toEqual([]);
    expect(opted.map((n) => [n.kind, n.subject])).toEqual([
      ['run-succeeded', "Scheduled run of 'Sales model' succeeded"],
    ]);
  });

  it('reports a run longer than the set duration, and not one that took exactly as long', () => {
    // Prepare
    const schedule = testSchedule({ notify: quietNotify({ longerThanSeconds: 599 }) });

    // Act
    const over = runAlerts(input({ schedule }));
    const exact = runAlerts(input({ schedule: testSchedule({ notify: quietNotify({ longerThanSeconds: 600 }) }) }));

    // Assess
    expect(over.map((n) => n.kind)).toEqual(['run-slow']);
    expect(over[0]!.text).toContain('longer than the 9 min 59 s its schedule allows');
    expect(exact).toEqual([]);
  });

  it.each([
    // history (seconds, newest first), this run's duration, reported?
    { history: [300, 310, 320, 330], seconds: 5000, reported: false, why: 'fewer than 5 successful runs' },
    { history: [300, 310, 320, 330, 340], seconds: 341, reported: true, why: 'p95 of 5 is the longest' },
    { history: [300, 310, 320, 330, 340], seconds: 340, reported: false, why: 'equal to p95 is not longer' },
    { history: TWENTY, seconds: 500, reported: true, why: 'p95 of 20 is the 19th smallest: one outlier is ignored' },
    { history: TWENTY, seconds: 140, reported: false, why: 'at the 19th smallest of 20 is not longer' },
  ])('learns the 95th percentile of the last successful runs ($why)', ({ history, seconds, reported }) => {
    // Prepare
    const schedule = testSchedule({ notify: quietNotify({ learnedDuration: true }) });

    // Act
    const notices = runAlerts(input({ schedule, history, run: testRun({ durationSeconds: seconds }) }));

    // Assess
    expect(notices.map((n) => n.kind)).toEqual(reported ? ['run-slow'] : []);
  });

  it('reads only the latest 20 successful runs for the learned duration', () => {
    // Prepare: twenty quick runs, then older slow ones that no longer count.
    const history = [...Array.from({ length: 20 }, () => 60), ...Array.from({ length: 30 }, () => 3600)];
    const schedule = testSchedule({ notify: quietNotify({ learnedDuration: true }) });

    // Act
    const notices = runAlerts(input({ schedule, history, run: testRun({ durationSeconds: 61 }) }));

    // Assess
    expect(notices.map((n) => n.text)).toEqual([
      "'nightly-sales' ran 'Sales model' for 1 min 1 s: longer than 1 min, the 95th percentile of its last 20 " +
        'successful runs.',
    ]);
  });

  it('sends one slow notice naming both limits when a run crosses both', () => {
    // Prepare
    const schedule = testSchedule({ notify: quietNotify({ learnedDuration: true, longerThanSeconds: 300 }) });

    // Act
    const notices = runAlerts(input({ schedule, history: [200, 210, 220, 230, 240], run: testRun() }));

    // Assess
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain('longer than the 5 min its schedule allows; longer than 4 min,');
  });

  it("reports a run whose estimated cost (the profile's hourly price for its duration) is over the limit", () => {
    // Prepare: two hours at $0.75 an hour is $1.50.
    const schedule = testSchedule({ notify: quietNotify({ costOverUsd: 1 }) });
    const run = testRun({ durationSeconds: 7200 });

    // Act
    const over = runAlerts(input({ schedule, run, hourlyPrice: 0.75 }));
    const under = runAlerts(input({ schedule, run, hourlyPrice: 0.5 }));
    const unknownProfile = runAlerts(input({ schedule, run, hourlyPrice: null }));

    // Assess
    expect(over.map((n) => [n.kind, n.subject])).toEqual([
      ['run-cost', "Scheduled run of 'Sales model' cost about $1.50"],
    ]);
    expect(under).toEqual([]);
    expect(unknownProfile).toEqual([]);
  });

  it('says nothing of a run started by hand or still open', () => {
    // Prepare
    const all = testSchedule({ notify: quietNotify({ onFailure: true, onSuccess: true, longerThanSeconds: 1 }) });

    // Act
    const byHand = runAlerts(input({ schedule: all, run: testRun({ scheduleId: null }) }));
    const open = runAlerts(input({ schedule: all, run: testRun({ status: 'IN_PROGRESS', durationSeconds: null }) }));

    // Assess
    expect(byHand).toEqual([]);
    expect(open).toEqual([]);
  });

  it('leaves the link out when the portal address is not known', () => {
    // Act
    const [notice] = runAlerts(
      input({ schedule: testSchedule({ notify: quietNotify({ onSuccess: true }) }), portalUrl: '' }),
    );

    // Assess
    expect(notice).not.toHaveProperty('link');
  });
});

describe('the learned duration', () => {
  it.each([
    { values: [5], p95: 5 },
    { values: [1, 2, 3, 4, 5], p95: 5 },
    { values: Array.from({ length: 20 }, (_, i) => i + 1), p95: 19 },
    { values: Array.from({ length: 10 }, (_, i) => (i + 1) * 10), p95: 100 },
    { values: [], p95: null },
  ])('is the nearest-rank 95th percentile: $values → $p95', ({ values, p95 }) => {
    // Act
    const result = percentile(values, 95);

    // Assess
    expect(result).toBe(p95);
  });

  it('is unknown with fewer than five successful runs', () => {
    // Act
    const four = learnedLimit([10, 20, 30, 40]);
    const five = learnedLimit([10, 20, 30, 40, 50]);

    // Assess
    expect(four).toBeNull();
    expect(five).toBe(50);
  });
});

describe('formatDuration and estimatedCostUsd', () => {
  it('writes durations as people read them and prices a run by the hour', () => {
    // Act
    const texts = [45, 200, 3600, 7500].map(formatDuration);
    const cost = estimatedCostUsd(1.2, 1800);

    // Assess
    expect(texts).toEqual(['45 s', '3 min 20 s', '1 h 00 min', '2 h 05 min']);
    expect(cost).toBeCloseTo(0.6);
  });
});
