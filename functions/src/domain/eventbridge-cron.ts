// EventBridge Scheduler's cron fields (docs: "Schedule types on EventBridge Scheduler"), checked one by one and
// written out in the form croner reads. Nothing is passed through: croner's dialect differs in field order, weekday
// numbers, `?` and where a bare `/` starts, so every item is rebuilt from its parsed values.

/** The six fields of `cron(minutes hours day-of-month month day-of-week year)`, in that order. */
export const CRON_FIELD_NAMES = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'] as const;

/** One field's name, as EventBridge's documentation names it. */
export type CronFieldName = (typeof CRON_FIELD_NAMES)[number];

interface FieldSpec {
  min: number;
  max: number;
  /** Upper-case names for 1, 2, 3…; none for fields that take numbers only. */
  names?: readonly string[];
  /** Whether `/` (increments) is allowed; EventBridge forbids it in day-of-week. */
  step: boolean;
  /** How the allowed values are written in messages. */
  shown: string;
  /** A day field, where ?, L, W or # may be the whole field. */
  days?: true;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const SPECS: Record<CronFieldName, FieldSpec> = {
  minutes: { min: 0, max: 59, step: true, shown: '0-59' },
  hours: { min: 0, max: 23, step: true, shown: '0-23' },
  'day-of-month': { min: 1, max: 31, step: true, shown: '1-31', days: true },
  month: { min: 1, max: 12, names: MONTHS, step: true, shown: '1-12 or JAN-DEC' },
  'day-of-week': { min: 1, max: 7, names: WEEKDAYS, step: false, shown: '1-7 or SUN-SAT (1 is Sunday)', days: true },
  year: { min: 1970, max: 2199, step: true, shown: '1970-2199' },
};

/** A field read: its croner text, or what is wrong with it (each message starts with the field's name). */
export interface FieldReading {
  croner: string;
  problems: string[];
}

class FieldProblem extends Error {}

const fail = (message: string): never => {
  throw new FieldProblem(message);
};

const fieldValue = (text: string, spec: FieldSpec): number => {
  const named = spec.names?.indexOf(text) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(text)) return fail(`'${text}' is not a value (${spec.shown})`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) fail(`${value} is outside ${spec.shown}`);
  return value;
};

const stepOf = (text: string, spec: FieldSpec): number => {
  const step = /^\d+$/.test(text) ? Number(text) : 0;
  const most = spec.max - spec.min + 1;
  if (step < 1 || step > most) fail(`the increment after / must be a whole number from 1 to ${most}, not '${text}'`);
  return step;
};

// One list item: *, a, a-b, */s, a/s, a-b/s. A bare start (`0/15`) runs to the field's end, and `*/s` starts at
// the field's first value: croner would read `0/15` only with sloppyRanges and start a year's `*/s` at year 0.
const itemFor = (item: string, spec: FieldSpec): string => {
  const [range = '', step, extra] = item.split('/');
  if (extra !== undefined) fail(`'${item}' has more than one /`);
  if (step !== undefined && !spec.step) fail(`'${item}': increments (/) are not allowed here`);
  if (range === '*') return step === undefined ? '*' : `${spec.min}-${spec.max}/${stepOf(step, spec)}`;
  const [first = '', last, more] = range.split('-');
  if (more !== undefined) fail(`'${item}' is not a range such as 1-5`);
  const low = fieldValue(first, spec);
  const high = last === undefined ? (step === undefined ? low : spec.max) : fieldValue(last, spec);
  if (high < low) fail(`the range '${range}' runs backwards; write the lower value first`);
  if (step !== undefined) return `${low}-${high}/${stepOf(step, spec)}`;
  return low === high ? `${low}` : `${low}-${high}`;
};

// ?, L, W and # stand alone; month and weekday names (JUL, WED) hold those letters too, so items are looked at.
const SPECIAL_ITEM = /^(\?|\d*L|\d*W|LW|.*#.*)$/;

const misplaced = (item: string, spec: FieldSpec): string =>
  spec.days ? `'${item}' must be the whole field` : `'${item}' belongs in day-of-month or day-of-week`;

const listFor = (text: string, spec: FieldSpec): string =>
  text
    .split(',')
    .map((item) => {
      if (item === '') return fail(`'${text}' has an empty item in its list`);
      if (SPECIAL_ITEM.test(item)) return fail(misplaced(item, spec));
      return itemFor(item, spec);
    })
    .join(',');

// L (last day), nW (the weekday nearest day n, within the month); croner reads both as EventBridge does.
const dayOfMonthFor = (text: string): string => {
  if (text === 'L') return 'L';
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday) return `${fieldValue(weekday[1]!, SPECS['day-of-month'])}W`;
  if (text.includes('W')) fail(`'${text}': W follows one day, as in 15W (the weekday nearest the 15th)`);
  return listFor(text, SPECS['day-of-month']);
};

// Weekdays keep EventBridge's numbers (1 = SUN): croner reads them so with alternativeWeekdays. A bare L is the
// week's last day, Saturday; nL the month's last weekday n; n#k its k-th.
const dayOfWeekFor = (text: string): string => {
  const spec = SPECS['day-of-week'];
  if (text === 'L') return '7';
  const last = /^(\w+)L$/.exec(text);
  if (last) return `${fieldValue(last[1]!, spec)}#L`;
  const nth = /^(\w+)#(\w+)$/.exec(text);
  if (nth) {
    if (!/^[1-5]$/.test(nth[2]!)) fail(`'${text}': the week after # is 1 to 5`);
    return `${fieldValue(nth[1]!, spec)}#${nth[2]}`;
  }
  if (text.includes('#')) fail(`'${text}': # takes one day and one week, as in 6#3 (the third Friday)`);
  return listFor(text, spec);
};

/** Checks one field and writes it as croner reads it; `?` (any) is left for the caller, who pairs the two days. */
export const readCronField = (name: CronFieldName, raw: string): FieldReading => {
  const text = raw.toUpperCase();
  try {
    if (text === '?') {
      if (name !== 'day-of-month' && name !== 'day-of-week') fail('? is allowed only in day-of-month or day-of-week');
      return { croner: '*', problems: [] };
    }
    if (name === 'day-of-month') return { croner: dayOfMonthFor(text), problems: [] };
    if (name === 'day-of-week') return { croner: dayOfWeekFor(text), problems: [] };
    return { croner: listFor(text, SPECS[name]), problems: [] };
  } catch (err) {
    if (!(err instanceof FieldProblem)) throw err;
    return { croner: '', problems: [`${name}: ${err.message}`] };
  }
};

/** What is wrong with the pair of day fields: EventBridge wants `?` in exactly one of them. */
export const dayFieldsProblem = (dayOfMonth: string, dayOfWeek: string): string | null => {
  if (dayOfMonth === '?' && dayOfWeek === '?') {
    return 'day-of-month and day-of-week: only one of them may be ?; put * in the other for every day';
  }
  if (dayOfMonth !== '?' && dayOfWeek !== '?') {
    return (
      'day-of-month and day-of-week: one of them must be ?, as in cron(0 9 ? * MON-FRI *) ' +
      'or cron(0 9 1 * ? *); EventBridge does not combine the two'
    );
  }
  return null;
};
