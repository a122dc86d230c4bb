import { describe, expect, it } from 'vitest';
import {
  DIGEST_MAX_LINES,
  type DigestEntry,
  digestDay,
  digestNotice,
  orderDigest,
} from '../../../src/domain/digest.ts';
import { testFire, testRun } from '../../support/notification-fakes.ts';

const SALES = { id: 'sch-1', name: 'nightly-sales', notebookTitle: 'Sales model' };
const CHURN = { id: 'sch-2', name: 'churn', notebookTitle: 'Churn' };

const entry = (
  schedule: DigestEntry['schedule'],
  dueAt: string,
  status: 'COMPLETED' | 'FAILED' | null,
  outcome: 'started' | 'failed' | 'skipped' = 'started',
): DigestEntry => ({
  schedule,
  fire: testFire(dueAt, { outcome, reason: outcome === 'started' ? null : 'the version has new parameters' }),
  run:
    status === null
      ? null
      : testRun({
          id: `run-${dueAt.replace(/\D/g, '').slice(0, 12)}`,
          status,
          error:
            status === 'FAILED'
              ? { reason: 'cell 2 raised ValueError', cellIndex: 2, ename: null, evalue: null, traceback: [] }
              : null,
        }),
});

describe('the daily digest', () => {
  it("covers the UTC day before the sweep's", () => {
    // Act
    const window = digestDay(new Date('2026-01-05T00:30:00.000Z'));

    // Assess
    expect(window).toEqual({
      day: '2026-01-04',
      from: '2026-01-04T00:00:00.000Z',
      to: '2026-01-05T00:00:00.000Z',
    });
  });

  it('lists failures first (runs that failed and fires that could not start), then the rest by due time', () => {
    // Prepare
    const entries = [
      entry(SALES, '2026-01-04T06:00:00Z', 'COMPLETED'),
      entry(CHURN, '2026-01-04T09:00:00Z', 'FAILED'),
      entry(SALES, '2026-01-04T03:00:00Z', 'COMPLETED'),
      entry(CHURN, '2026-01-04T01:00:00Z', null, 'skipped'),
      entry(SALES, '2026-01-04T12:00:00Z', null, 'failed'),
      entry(CHURN, '2026-01-04T06:00:00Z', 'FAILED'),
    ];

    // Act
    const ordered = orderDigest(entries).map((e) => `${e.fire.dueAt.slice(11, 16)} ${e.schedule.name}`);

    // Assess
    expect(ordered).toEqual([
      '06:00 churn',
      '09:00 churn',
      '12:00 nightly-sales',
      '01:00 churn',
      '03:00 nightly-sales',
      '06:00 nightly-sales',
    ]);
  });

  it('writes one notice with the counts in its subject and fields, a line per due time and a link', () => {
    // Prepare
    const entries = [
      entry(SALES, '2026-01-04T06:00:00Z', 'COMPLETED'),
      entry(CHURN, '2026-01-04T09:00:00Z', 'FAILED'),
      entry(CHURN, '2026-01-04T10:00:00Z', null, 'skipped'),
    ];

    // Act
    const notice = digestNotice({
      owner: 'alice',
      day: '2026-01-04',
      destination: 'data-alerts',
      entries,
      portalUrl: 'https://orrery.example.com',
    });

    // Assess
    expect(notice).toMatchObject({
      user: 'alice',
      kind: 'digest',
      destination: 'data-alerts',
      subject: 'Orrery digest for 2026-01-04: 1 of 3 scheduled runs failed',
      fields: [
        { label: 'Due', value: '3' },
        { label: 'Failed', value: '1' },
        { label: 'Succeeded', value: '1' },
        { label: 'Skipped or other', value: '1' },
      ],
      link: { label: 'Your schedules', url: 'https://orrery.example.com/schedules' },
    });
    expect(notice!.text.split('\n')).toEqual([
      "✗ 09:00 churn ('Churn'): FAILED in 10 min: cell 2 raised ValueError (run-202601040900)",
      "✓ 06:00 nightly-sales ('Sales model'): COMPLETED in 10 min (run-202601040600)",
      "– 10:00 churn ('Churn'): skipped, the version has new parameters",
    ]);
  });

  it('sends nothing for a day when nothing was due', () => {
    // Act
    const notice = digestNotice({ owner: 'alice', day: '2026-01-04', destination: null, entries: [], portalUrl: '' });

    // Assess
    expect(notice).toBeNull();
  });

  it('lists at most a hundred due times but counts them all', () => {
    // Prepare
    const entries = Array.from({ length: 150 }, (_, i) =>
      entry(
        SALES,
        `2026-01-04T${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`,
        'COMPLETED',
      ),
    );

    // Act
    const notice = digestNotice({ owner: 'alice', day: '2026-01-04', destination: null, entries, portalUrl: '' });

    // Assess
    const lines = notice!.text.split('\n');
    expect(lines).toHaveLength(DIGEST_MAX_LINES + 1);
    expect(lines.at(-1)).toBe('… and 50 more');
    expect(notice!.subject).toBe('Orrery digest for 2026-01-04: 150 scheduled runs, none failed');
  });
});
