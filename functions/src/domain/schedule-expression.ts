import { Cron } from 'croner';
import { type ErrorDetail, ValidationError } from './errors.ts';
import { CRON_FIELD_NAMES, dayFieldsProblem, readCronField } from './eventbridge-cron.ts';
import { firstOccurrence, timeZoneProblem } from './time-zone.ts';

/** The unit of a `rate(value unit)` expression, singular. */
export type RateUnit = 'minute' | 'hour' | 'day';

/** A checked schedule expression: a cron as croner's 7-part pattern (seconds first), or a fixed interval. */
export type ScheduleExpression =
  | { kind: 'cron'; timezone: string; pattern: string }
  | { kind: 'rate'; value: number; unit: RateUnit; intervalMs: number };

const UNIT_MS: Record<RateUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

// Field order, weekday numbers (1 = SUN, as EventBridge) and AND of the two day fields (one is always `*`).
const CRONER_OPTIONS = { mode: '7-part', alternativeWeekdays: true, domAndDow: true } as const;

const SHAPE =
  'write cron(minutes hours day-of-month month day-of-week year) or rate(value unit), ' +
  'such as cron(0 12 * * ? *) or rate(5 minutes)';

const fieldCountHint = (count: number): string => {
  if (count === 5) return '; add the year (* for every year)';
  if (count === 7) return '; EventBridge has no seconds field';
  return '';
};

const readCron = (body: string, timezone: string, problems: ErrorDetail[]): ScheduleExpression | null => {
  const fields = body.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 6) {
    const message = `cron takes 6 fields (${CRON_FIELD_NAMES.join(' ')}), got ${fields.length}`;
    problems.push({ path: 'expression', message: message + fieldCountHint(fields.length) });
    return null;
  }
  const readings = CRON_FIELD_NAMES.map((name, i) => readCronField(name, fields[i]!));
  const found = readings.flatMap((reading) => reading.problems);
  const days = dayFieldsProblem(fields[2]!, fields[4]!);
  if (days) found.push(days);
  problems.push(...found.map((message) => ({ path: 'expression', message })));
  if (found.length > 0) return null;
  const pattern = `0 ${readings.map((reading) => reading.croner).join(' ')}`;
  try {
    new Cron(pattern, { ...CRONER_OPTIONS, timezone: timezoneOrUtc(timezone) });
  } catch (err) {
    // A form the checks above let through that croner cannot evaluate: refuse it rather than guess.
    problems.push({ path: 'expression', message: `not supported here: ${(err as Error).message}` });
    return null;
  }
  return { kind: 'cron', timezone, pattern };
};

// The zone is checked on its own; a bad one must not hide the expression's own problems.
const timezoneOrUtc = (timezone: string): string => (timeZoneProblem(timezone) ? 'UTC' : timezone);

const readRate = (body: string, problems: ErrorDetail[]): ScheduleExpression | null => {
  const parts = body.trim().split(/\s+/).filter(Boolean);
  const problem = (message: string) => {
    problems.push({ path: 'expression', message });
    return null;
  };
  if (parts.length !== 2) return problem('rate takes a value and a unit, such as rate(5 minutes) or rate(1 hour)');
  const [text, unitText] = parts as [string, string];
  if (!/^\d+$/.test(text) || Number(text) < 1) return problem(`rate value: '${text}' is not a positive whole number`);
  const value = Number(text);
  const singular = unitText.endsWith('s') ? unitText.slice(0, -1) : unitText;
  if (!Object.hasOwn(UNIT_MS, singular)) {
    return problem(
      `rate unit: '${unitText}' is not minute(s), hour(s) or day(s); the shortest rate EventBridge allows is 1 minute`,
    );
  }
  const unit = singular as RateUnit;
  const wanted = value === 1 ? unit : `${unit}s`;
  if (unitText !== wanted) return problem(`rate unit: write rate(${value} ${wanted}) (singular only for 1)`);
  const intervalMs = value * UNIT_MS[unit];
  if (!Number.isSafeInteger(intervalMs)) return problem(`rate value: ${value} ${wanted} is too long`);
  return { kind: 'rate', value, unit, intervalMs };
};

/**
 * Checks an expression in EventBridge Scheduler's own syntax and the IANA zone its cron fields are read in,
 * reporting every problem at once (details point at `expression`, naming the cron field, or at `timezone`).
 */
export const parseScheduleExpression = (expression: string, timezone: string): ScheduleExpression => {
  const problems: ErrorDetail[] = [];
  const zone = timeZoneProblem(timezone);
  if (zone) problems.push({ path: 'timezone', message: zone });
  const text = expression.trim();
  const cron = /^cron\((.*)\)$/s.exec(text);
  const rate = /^rate\((.*)\)$/s.exec(text);
  let parsed: ScheduleExpression | null = null;
  if (cron) parsed = readCron(cron[1]!, timezone, problems);
  else if (rate) parsed = readRate(rate[1]!, problems);
  else problems.push({ path: 'expression', message: SHAPE });
  if (problems.length > 0 || !parsed) {
    const message = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new ValidationError(message, problems, 'invalid_schedule_expression');
  }
  return parsed;
};

interface Compiled {
  parsed: ScheduleExpression;
  cron: Cron | null;
}

const compiled = new Map<string, Compiled>();
const COMPILED_KEPT = 1000;

// Many schedules share a handful of expressions; parsing each at every due time would cost a busy calendar most.
const compile = (expression: string, timezone: string): Compiled => {
  const key = `${timezone}\n${expression}`;
  const known = compiled.get(key);
  if (known) return known;
  const parsed = parseScheduleExpression(expression, timezone);
  const cron = parsed.kind === 'cron' ? new Cron(parsed.pattern, { ...CRONER_OPTIONS, timezone }) : null;
  if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
  const entry = { parsed, cron };
  compiled.set(key, entry);
  return entry;
};

// Far more than the due times a clock change drops in a row (sixty, for every minute of a repeated hour).
const MAX_DROPPED = 500;

/**
 * Croner's due times made EventBridge's. A time in a spring-forward gap is skipped (croner moves a fixed-time
 * job to the end of the gap, which its fields do not ask for). A wall-clock time the fall-back hour repeats fires
 * once, at its first occurrence: AWS's note "How can I adjust my Amazon EventBridge schedule for daylight saving?"
 * says a schedule "runs only once and doesn't repeat its invocation"; which occurrence it is, it does not say.
 */
function* cronDueTimes(cron: Cron, timezone: string, after: Date): Generator<Date> {
  let cursor = after;
  let last = after;
  for (let dropped = 0; dropped < MAX_DROPPED; ) {
    const next = cron.nextRun(cursor);
    if (!next) return;
    cursor = next;
    const first = cron.match(next) ? firstOccurrence(next, timezone) : null;
    if (first && first > last) {
      last = first;
      dropped = 0;
      yield first;
    } else dropped += 1;
  }
}

// anchor + k × interval, k ≥ 0; the anchor is cut to the second, so a due time survives its dueTimeKey.
function* rateDueTimes(intervalMs: number, anchor: Date, after: Date): Generator<Date> {
  const start = Math.floor(anchor.getTime() / 1000) * 1000;
  const k = after.getTime() < start ? 0 : Math.floor((after.getTime() - start) / intervalMs) + 1;
  for (let at = start + k * intervalMs; at <= MAX_DATE_MS; at += intervalMs) yield new Date(at);
}

const MAX_DATE_MS = 8.64e15;
const EPOCH = new Date(0);

const dueTimesAfter = (expression: string, timezone: string, after: Date, anchor: Date): Generator<Date> => {
  const { parsed, cron } = compile(expression, timezone);
  return parsed.kind === 'rate' ? rateDueTimes(parsed.intervalMs, anchor, after) : cronDueTimes(cron!, timezone, after);
};

/**
 * The next `count` due times strictly after `after`, as EventBridge Scheduler fires them. A rate counts from
 * `anchor` (when the schedule was created; the Unix epoch when absent) whatever the zone; a cron reads its fields
 * in `timezone`. Fewer come back when the schedule ends (a year field in the past).
 */
export const nextDueTimes = (
  expression: string,
  timezone: string,
  after: Date,
  count: number,
  anchor: Date = EPOCH,
): Date[] => {
  const due: Date[] = [];
  if (count <= 0) return due;
  for (const at of dueTimesAfter(expression, timezone, after, anchor)) {
    due.push(at);
    if (due.length >= count) break;
  }
  return due;
};

/** The due times in (from, to], oldest first, at most `limit`: what the missed policy may start. */
export const dueTimesBetween = (
  expression: string,
  timezone: string,
  from: Date,
  to: Date,
  limit: number,
  anchor: Date = EPOCH,
): Date[] => {
  const due: Date[] = [];
  if (limit <= 0) return due;
  for (const at of dueTimesAfter(expression, timezone, from, anchor)) {
    if (at > to) break;
    due.push(at);
    if (due.length >= limit) break;
  }
  return due;
};

/** Whether `at` is exactly one of the schedule's due times (a timer that woke, a delivery to check). */
export const isDueTime = (expression: string, timezone: string, at: Date, anchor: Date = EPOCH): boolean =>
  nextDueTimes(expression, timezone, new Date(at.getTime() - 1), 1, anchor)[0]?.getTime() === at.getTime();
