import { describe, expect, it } from 'vitest';
import {
  dueTimesBetween,
  isDueTime,
  nextDueTimes,
  parseScheduleExpression,
} from '../../../src/domain/schedule-expression.ts';
import { rejection } from '../../support/rejection.ts';

const at = (iso: string) => new Date(iso);
const isos = (dates: Date[]) => dates.map((d) => d.toISOString());

interface Golden {
  what: string;
  expression: string;
  timezone: string;
  after: string;
  count: number;
  due: string[];
  anchor?: string;
}

// 2027-01-01 is a Friday. US clocks change on 2027-03-14 (02:00 EST → 03:00 EDT) and 2027-11-07 (02:00 EDT →
// 01:00 EST); Berlin's on 2027-03-28 (02:00 CET → 03:00 CEST) and 2027-10-31 (03:00 CEST → 02:00 CET).
const GOLDEN: Golden[] = [
  {
    what: 'cron(0 12 * * ? *) fires daily at noon, not hourly at :12',
    expression: 'cron(0 12 * * ? *)',
    timezone: 'UTC',
    after: '2027-01-01T00:00:00Z',
    count: 3,
    due: ['2027-01-01T12:00:00.000Z', '2027-01-02T12:00:00.000Z', '2027-01-03T12:00:00.000Z'],
  },
  {
    what: 'cron(0/15 * * * ? *) fires every quarter hour from minute 0',
    expression: 'cron(0/15 * * * ? *)',
    timezone: 'UTC',
    after: '2027-01-01T00:00:00Z',
    count: 4,
    due: [
      '2027-01-01T00:15:00.000Z',
      '2027-01-01T00:30:00.000Z',
      '2027-01-01T00:45:00.000Z',
      '2027-01-01T01:00:00.000Z',
    ],
  },
  {
    what: 'MON-FRI fires on weekdays only',
    expression: 'cron(0 9 ? * MON-FRI *)',
    timezone: 'UTC',
    after: '2027-01-01T09:00:00Z',
    count: 3,
    due: ['2027-01-04T09:00:00.000Z', '2027-01-05T09:00:00.000Z', '2027-01-06T09:00:00.000Z'],
  },
  {
    what: '2-6 is Monday to Friday, because 1 is Sunday',
    expression: 'cron(0 9 ? * 2-6 *)',
    timezone: 'UTC',
    after: '2027-01-01T09:00:00Z',
    count: 3,
    due: ['2027-01-04T09:00:00.000Z', '2027-01-05T09:00:00.000Z', '2027-01-06T09:00:00.000Z'],
  },
  {
    what: 'L in day-of-month is the last day of each month, leap years included',
    expression: 'cron(0 10 L * ? *)',
    timezone: 'UTC',
    after: '2027-12-01T00:00:00Z',
    count: 3,
    due: ['2027-12-31T10:00:00.000Z', '2028-01-31T10:00:00.000Z', '2028-02-29T10:00:00.000Z'],
  },
  {
    what: '15W is the weekday nearest the 15th (Friday 14 May, Monday 16 August)',
    expression: 'cron(0 10 15W * ? *)',
    timezone: 'UTC',
    after: '2027-04-20T00:00:00Z',
    count: 4,
    due: [
      '2027-05-14T10:00:00.000Z',
      '2027-06-15T10:00:00.000Z',
      '2027-07-15T10:00:00.000Z',
      '2027-08-16T10:00:00.000Z',
    ],
  },
  {
    what: '1W on a Saturday moves to Monday the 3rd, never into the month before',
    expression: 'cron(0 10 1W * ? *)',
    timezone: 'UTC',
    after: '2027-04-02T00:00:00Z',
    count: 1,
    due: ['2027-05-03T10:00:00.000Z'],
  },
  {
    what: '6#3 is the third Friday of the month',
    expression: 'cron(0 10 ? * 6#3 *)',
    timezone: 'UTC',
    after: '2027-01-01T00:00:00Z',
    count: 3,
    due: ['2027-01-15T10:00:00.000Z', '2027-02-19T10:00:00.000Z', '2027-03-19T10:00:00.000Z'],
  },
  {
    what: '6L is the last Friday of the month',
    expression: 'cron(0 10 ? * 6L *)',
    timezone: 'UTC',
    after: '2027-01-01T00:00:00Z',
    count: 2,
    due: ['2027-01-29T10:00:00.000Z', '2027-02-26T10:00:00.000Z'],
  },
  {
    what: 'L in day-of-week is the last day of the week, Saturday',
    expression: 'cron(0 10 ? * L *)',
    timezone: 'UTC',
    after: '2027-01-01T00:00:00Z',
    count: 2,
    due: ['2027-01-02T10:00:00.000Z', '2027-01-09T10:00:00.000Z'],
  },
  {
    what: 'a year range ends the schedule',
    expression: 'cron(0 10 1 1 ? 2027-2028)',
    timezone: 'UTC',
    after: '2026-06-01T00:00:00Z',
    count: 5,
    due: ['2027-01-01T10:00:00.000Z', '2028-01-01T10:00:00.000Z'],
  },
  {
    what: '*/50 in the year field counts from 1970',
    expression: 'cron(0 0 1 1 ? */50)',
    timezone: 'UTC',
    after: '2000-01-01T00:00:00Z',
    count: 2,
    due: ['2020-01-01T00:00:00.000Z', '2070-01-01T00:00:00.000Z'],
  },
  {
    what: 'the fields are read in the zone',
    expression: 'cron(0 9 * * ? *)',
    timezone: 'Asia/Tokyo',
    after: '2027-01-01T00:00:00Z',
    count: 2,
    due: ['2027-01-02T00:00:00.000Z', '2027-01-03T00:00:00.000Z'],
  },
  {
    what: 'rate(5 minutes) counts from its anchor, cut to the second',
    expression: 'rate(5 minutes)',
    timezone: 'Europe/Berlin',
    after: '2027-01-01T08:10:00Z',
    count: 3,
    anchor: '2027-01-01T08:02:30.250Z',
    due: ['2027-01-01T08:12:30.000Z', '2027-01-01T08:17:30.000Z', '2027-01-01T08:22:30.000Z'],
  },
  {
    what: 'a rate fires at its anchor first',
    expression: 'rate(1 day)',
    timezone: 'America/New_York',
    after: '2027-03-13T00:00:00Z',
    count: 3,
    anchor: '2027-03-13T07:30:00Z',
    due: ['2027-03-13T07:30:00.000Z', '2027-03-14T07:30:00.000Z', '2027-03-15T07:30:00.000Z'],
  },
  {
    what: 'New York: 02:30 does not exist on 14 March, so that day has no run',
    expression: 'cron(30 2 * * ? *)',
    timezone: 'America/New_York',
    after: '2027-03-13T00:00:00Z',
    count: 3,
    due: ['2027-03-13T07:30:00.000Z', '2027-03-15T06:30:00.000Z', '2027-03-16T06:30:00.000Z'],
  },
  {
    what: 'New York: every half hour jumps from 01:30 EST to 03:00 EDT',
    expression: 'cron(0/30 * * * ? *)',
    timezone: 'America/New_York',
    after: '2027-03-14T06:00:00Z',
    count: 3,
    due: ['2027-03-14T06:30:00.000Z', '2027-03-14T07:00:00.000Z', '2027-03-14T07:30:00.000Z'],
  },
  {
    what: 'New York: 01:30 happens twice on 7 November and fires once, the first time',
    expression: 'cron(30 1 * * ? *)',
    timezone: 'America/New_York',
    after: '2027-11-06T00:00:00Z',
    count: 3,
    due: ['2027-11-06T05:30:00.000Z', '2027-11-07T05:30:00.000Z', '2027-11-08T06:30:00.000Z'],
  },
  {
    what: 'New York: every half hour does not repeat the hour the clocks go back',
    expression: 'cron(0/30 * * * ? *)',
    timezone: 'America/New_York',
    after: '2027-11-07T04:00:00Z',
    count: 5,
    due: [
      '2027-11-07T04:30:00.000Z',
      '2027-11-07T05:00:00.000Z',
      '2027-11-07T05:30:00.000Z',
      '2027-11-07T07:00:00.000Z',
      '2027-11-07T07:30:00.000Z',
    ],
  },
  {
    what: 'Berlin: 02:30 does not exist on 28 March',
    expression: 'cron(30 2 * * ? *)',
    timezone: 'Europe/Berlin',
    after: '2027-03-27T00:00:00Z',
    count: 2,
    due: ['2027-03-27T01:30:00.000Z', '2027-03-29T00:30:00.000Z'],
  },
  {
    what: 'Berlin: 02:30 happens twice on 31 October and fires once, in summer time',
    expression: 'cron(30 2 * * ? *)',
    timezone: 'Europe/Berlin',
    after: '2027-10-30T12:00:00Z',
    count: 2,
    due: ['2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z'],
  },
];

describe('nextDueTimes', () => {
  it.each(GOLDEN)('$what', ({ expression, timezone, after, count, anchor, due }) => {
    // Prepare
    const anchorDate = anchor ? at(anchor) : undefined;

    // Act
    const next = nextDueTimes(expression, timezone, at(after), count, anchorDate);

    // Assess
    expect(isos(next)).toEqual(due);
  });

  it('reads month and weekday names as their numbers', () => {
    // Prepare
    const after = at('2027-01-01T00:00:00Z');

    // Act
    const named = nextDueTimes('cron(0 9 ? jul WED *)', 'UTC', after, 4);
    const numbered = nextDueTimes('cron(0 9 ? 7 4 *)', 'UTC', after, 4);

    // Assess
    expect(isos(named)).toEqual(isos(numbered));
    expect(isos(named)[0]).toBe('2027-07-07T09:00:00.000Z');
  });

  it('returns nothing after a schedule whose years are over', () => {
    // Act
    const next = nextDueTimes('cron(0 10 1 1 ? 2027)', 'UTC', at('2027-01-01T10:00:00Z'), 3);

    // Assess
    expect(next).toEqual([]);
  });
});

describe('dueTimesBetween', () => {
  it('gives the due times after from and up to to, oldest first', () => {
    // Act
    const due = dueTimesBetween('cron(0 * * * ? *)', 'UTC', at('2027-01-01T00:00:00Z'), at('2027-01-01T03:00:00Z'), 10);

    // Assess
    expect(isos(due)).toEqual(['2027-01-01T01:00:00.000Z', '2027-01-01T02:00:00.000Z', '2027-01-01T03:00:00.000Z']);
  });

  it('stops at the limit, keeping the oldest', () => {
    // Act
    const due = dueTimesBetween('rate(1 hour)', 'UTC', at('2027-01-01T00:00:00Z'), at('2027-01-02T00:00:00Z'), 2);

    // Assess
    expect(isos(due)).toEqual(['2027-01-01T01:00:00.000Z', '2027-01-01T02:00:00.000Z']);
  });
});

describe('isDueTime', () => {
  it.each([
    ['cron(30 2 * * ? *)', '2027-03-13T07:30:00Z', true],
    ['cron(30 2 * * ? *)', '2027-03-14T07:00:00Z', false],
    ['cron(30 2 * * ? *)', '2027-03-13T07:30:01Z', false],
    ['cron(30 1 * * ? *)', '2027-11-07T05:30:00Z', true],
    ['cron(30 1 * * ? *)', '2027-11-07T06:30:00Z', false],
  ])('in New York, %s is due at %s: %s', (expression, instant, due) => {
    // Act
    const result = isDueTime(expression, 'America/New_York', at(instant));

    // Assess
    expect(result).toBe(due);
  });

  it('knows a rate is due on its anchor plus whole intervals only', () => {
    // Prepare
    const anchor = at('2027-01-01T00:00:00Z');

    // Act
    const onTheGrid = isDueTime('rate(5 minutes)', 'UTC', at('2027-01-01T00:10:00Z'), anchor);
    const offTheGrid = isDueTime('rate(5 minutes)', 'UTC', at('2027-01-01T00:07:00Z'), anchor);

    // Assess
    expect([onTheGrid, offTheGrid]).toEqual([true, false]);
  });
});

describe('parseScheduleExpression', () => {
  it('translates a cron to croner, seconds first, with ? read as any', () => {
    // Act
    const parsed = parseScheduleExpression('cron(0/15 9-17 ? JAN-MAR MON-FRI *)', 'Europe/Berlin');

    // Assess
    expect(parsed).toEqual({ kind: 'cron', timezone: 'Europe/Berlin', pattern: '0 0-59/15 9-17 * 1-3 2-6 *' });
  });

  it('reads a rate as its interval', () => {
    // Act
    const parsed = parseScheduleExpression('rate(2 hours)', 'UTC');

    // Assess
    expect(parsed).toEqual({ kind: 'rate', value: 2, unit: 'hour', intervalMs: 7_200_000 });
  });

  it.each([
    ['seven fields', 'cron(0 0 12 * * ? *)', 'UTC', 'cron takes 6 fields'],
    ['five fields', 'cron(0 12 * * ?)', 'UTC', 'add the year'],
    ['both day fields set', 'cron(0 12 1 * MON *)', 'UTC', 'day-of-month and day-of-week: one of them must be ?'],
    ['both day fields ?', 'cron(0 12 ? * ? *)', 'UTC', 'only one of them may be ?'],
    ['60 minutes', 'cron(60 12 * * ? *)', 'UTC', 'minutes: 60 is outside 0-59'],
    ['hour 24', 'cron(0 24 * * ? *)', 'UTC', 'hours: 24 is outside 0-23'],
    ['day-of-week 0', 'cron(0 9 ? * 0 *)', 'UTC', 'day-of-week: 0 is outside 1-7'],
    ['a year before 1970', 'cron(0 9 * * ? 1969)', 'UTC', 'year: 1969 is outside 1970-2199'],
    ['? outside the day fields', 'cron(? 9 * * ? *)', 'UTC', 'minutes: ? is allowed only in day-of-month'],
    ['L inside a list', 'cron(0 9 ? * 1,L *)', 'UTC', "day-of-week: 'L' must be the whole field"],
    ['W in the minutes', 'cron(5W 9 * * ? *)', 'UTC', "minutes: '5W' belongs in day-of-month or day-of-week"],
    ['a sixth week', 'cron(0 9 ? * 2#6 *)', 'UTC', 'the week after # is 1 to 5'],
    ['an increment of weekdays', 'cron(0 9 ? * 2/2 *)', 'UTC', 'day-of-week: '],
    ['a backward range', 'cron(0 17-9 * * ? *)', 'UTC', "hours: the range '17-9' runs backwards"],
    ['an unknown month', 'cron(0 9 1 JUX ? *)', 'UTC', "month: 'JUX' is not a value"],
    ['neither cron nor rate', 'every day at noon', 'UTC', 'write cron(minutes hours'],
    ['a plural unit for one', 'rate(1 minutes)', 'UTC', 'write rate(1 minute)'],
    ['a singular unit for many', 'rate(5 minute)', 'UTC', 'write rate(5 minutes)'],
    ['a rate in seconds', 'rate(30 seconds)', 'UTC', 'the shortest rate EventBridge allows is 1 minute'],
    ['a rate of zero', 'rate(0 minutes)', 'UTC', "rate value: '0' is not a positive whole number"],
  ])('rejects %s, pointing at the expression', (_what, expression, timezone, message) => {
    // Act
    const err = rejection(() => parseScheduleExpression(expression, timezone));

    // Assess
    expect(err.code).toBe('invalid_schedule_expression');
    expect(err.details).toEqual([{ path: 'expression', message: expect.stringContaining(message) }]);
    expect(err.message).toContain(message);
  });

  it.each([
    ['Mars/Olympus_Mons', 'not a time zone this platform knows'],
    ['+01:00', 'not an IANA zone name'],
    ['america/new_york', 'write it as America/New_York'],
  ])('rejects the zone %s, pointing at the timezone', (timezone, message) => {
    // Act
    const err = rejection(() => parseScheduleExpression('cron(0 12 * * ? *)', timezone));

    // Assess
    expect(err.details).toEqual([{ path: 'timezone', message: expect.stringContaining(message) }]);
  });

  it('reports every wrong field and the zone at once', () => {
    // Act
    const err = rejection(() => parseScheduleExpression('cron(60 24 32 13 ? 1969)', 'Nowhere/Town'));

    // Assess
    expect(err.details?.map((d) => `${d.path} ${d.message.split(':')[0]}`)).toEqual([
      "timezone 'Nowhere/Town' is not a time zone this platform knows (an IANA name such as America/New_York or UTC)",
      'expression minutes',
      'expression hours',
      'expression day-of-month',
      'expression month',
      'expression year',
    ]);
  });
});
