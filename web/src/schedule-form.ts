/**
 * The schedule form's rules, without React: presets and zones offered, the form's text → the body of
 * `POST /notebooks/{id}/schedules` with an error per field, and the API's 400 placed beside the field it names.
 * Parameters are read by `parameter-form.ts`, exactly as the run form reads them.
 */

import type { CreateScheduleBody, Fire, Schedule } from './api-client.ts';
import { fieldErrorsFromApi, type ApiErrorDetail } from './parameter-form.ts';

/** A preset of the expression field: what people ask for most, in EventBridge Scheduler's own syntax. */
export interface ExpressionPreset {
  label: string;
  expression: string;
}

/** The presets under the expression field. */
export const EXPRESSION_PRESETS: ExpressionPreset[] = [
  { label: 'Hourly', expression: 'cron(0 * * * ? *)' },
  { label: 'Daily at 09:00', expression: 'cron(0 9 * * ? *)' },
  { label: 'Weekdays at 09:00', expression: 'cron(0 9 ? * MON-FRI *)' },
  { label: 'Every 15 minutes', expression: 'cron(0/15 * * * ? *)' },
];

/** Zones the time zone field suggests; any IANA name may be typed. */
export const COMMON_TIME_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Helsinki',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Australia/Sydney',
];

/** The browser's own zone (what the form starts with), or UTC when the browser does not say. */
export const browserTimeZone = (
  resolved: () => { timeZone?: string } = () => Intl.DateTimeFormat().resolvedOptions(),
) => {
  try {
    return resolved().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
};

/** The zones to suggest: the browser's first, then the common ones, each once. */
export const zoneSuggestions = (browser: string): string[] => [...new Set([browser, ...COMMON_TIME_ZONES])];

// The API's bounds (functions/src/contracts/schedule-schemas.ts, domain/schedule.ts).
const RETRIES_MAX = 5;
const TIMEOUT = { min: 10, max: 86_400 };
const LONGER_THAN_MAX_MINUTES = 10_080;
const DESTINATION = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** What the schedule form holds besides the parameters: text as typed, choices as chosen. */
export interface ScheduleDraft {
  name: string;
  expression: string;
  timezone: string;
  /** '' for the latest version at each fire, else a version number. */
  version: string;
  profile: string;
  role: string;
  timeout: string;
  retries: string;
  overlap: 'skip' | 'queue';
  missed: 'skip' | 'latest' | 'all';
  paused: boolean;
  onFailure: boolean;
  onSuccess: boolean;
  /** '' for no limit, else whole minutes. */
  longerThanMinutes: string;
  learnedDuration: boolean;
  digest: boolean;
  destination: string;
}

/** The names of the draft's fields that can carry an error, in the order the form shows them. */
export const SCHEDULE_FIELDS = [
  'name',
  'expression',
  'timezone',
  'version',
  'profile',
  'role',
  'timeoutSeconds',
  'retries',
  'longerThanMinutes',
  'destination',
] as const;

/** A new schedule's draft: a daily run at 09:00 in the browser's zone, failures notified, the API's defaults. */
export const newDraft = (notebookTitle: string, timezone: string, profile: string): ScheduleDraft => ({
  name: `${notebookTitle} daily`.slice(0, 100),
  expression: 'cron(0 9 * * ? *)',
  timezone,
  version: '',
  profile,
  role: '',
  timeout: '3600',
  retries: '0',
  overlap: 'skip',
  missed: 'skip',
  paused: false,
  onFailure: true,
  onSuccess: false,
  longerThanMinutes: '',
  learnedDuration: false,
  digest: false,
  destination: '',
});

const whole = (text: string): number | null => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : null);

// Checks the fields that are not parameters: what the API would refuse, said before asking it.
const draftErrors = (d: ScheduleDraft): Record<string, string> => {
  const errors: Record<string, string> = {};
  if (!d.name.trim()) errors.name = 'A schedule needs a name.';
  if (!d.expression.trim()) errors.expression = 'Enter an expression, or pick a preset.';
  if (!d.timezone.trim()) errors.timezone = 'Enter a time zone, such as UTC or Europe/Berlin.';
  if (!d.profile) errors.profile = 'Choose a profile.';
  const timeout = whole(d.timeout);
  if (timeout === null || timeout < TIMEOUT.min || timeout > TIMEOUT.max)
    errors.timeoutSeconds = `A whole number of seconds from ${TIMEOUT.min} to ${TIMEOUT.max} (24 h).`;
  const retries = whole(d.retries);
  if (retries === null || retries > RETRIES_MAX) errors.retries = `A whole number from 0 to ${RETRIES_MAX}.`;
  const minutes = whole(d.longerThanMinutes);
  if (d.longerThanMinutes.trim() && (minutes === null || minutes < 1 || minutes > LONGER_THAN_MAX_MINUTES))
    errors.longerThanMinutes = `Whole minutes from 1 to ${LONGER_THAN_MAX_MINUTES} (7 days), or empty for no limit.`;
  if (d.destination.trim() && !DESTINATION.test(d.destination.trim()))
    errors.destination = 'A destination’s name: lowercase letters, digits and dashes, as your admin named it.';
  return errors;
};

/**
 * The create body from the draft and the parameters the run form's rules read (only those changed from the
 * notebook's defaults, so each fire's version supplies the rest), or the errors that stop it.
 */
export const scheduleBodyFrom = (
  d: ScheduleDraft,
  parameters: Record<string, unknown>,
): { body: CreateScheduleBody | null; errors: Record<string, string> } => {
  const errors = draftErrors(d);
  if (Object.keys(errors).length) return { body: null, errors };
  const minutes = whole(d.longerThanMinutes);
  const destination = d.destination.trim();
  const body: CreateScheduleBody = {
    name: d.name.trim(),
    expression: d.expression.trim(),
    timezone: d.timezone.trim(),
    parameters,
    version: d.version ? Number(d.version) : null,
    profile: d.profile,
    ...(d.role ? { role: d.role } : {}),
    timeoutSeconds: Number(d.timeout.trim()),
    retries: Number(d.retries.trim()),
    overlap: d.overlap,
    missed: d.missed,
    paused: d.paused,
    notify: {
      onFailure: d.onFailure,
      onSuccess: d.onSuccess,
      longerThanSeconds: minutes === null ? null : minutes * 60,
      learnedDuration: d.learnedDuration,
      digest: d.digest,
      // Absent, not null: the platform's default destination, if an admin set one.
      ...(destination ? { destination } : {}),
    },
  };
  return { body, errors };
};

// The API names a field by where it read it: `expression` (the rules), `query.expression` (the preview's
// query), `body.notify.destination` (the body's schema); the form knows each by one name.
const RENAMED: Record<string, string> = {
  expression: 'body.expression',
  timezone: 'body.timezone',
  'query.expression': 'body.expression',
  'query.timezone': 'body.timezone',
  'body.notify.destination': 'body.destination',
  'body.notify.longerThanSeconds': 'body.longerThanMinutes',
};

const normalized = (details: ApiErrorDetail[]): ApiErrorDetail[] =>
  details.map((d) => ({ ...d, path: RENAMED[d.path] ?? d.path }));

/**
 * Places a 400 of the schedule routes beside the form's fields: parameters by name (as the run form does),
 * `expression`, `timezone`, the notification fields and the body's other fields; the rest comes back in `general`.
 */
export const scheduleErrorsFromApi = (
  error: { message: string; details?: ApiErrorDetail[] },
  parameterNames: string[],
): { fields: Record<string, string>; general: string[] } =>
  fieldErrorsFromApi({ message: error.message, details: normalized(error.details ?? []) }, [
    ...parameterNames,
    ...SCHEDULE_FIELDS,
  ]);

/** Who hears what, in words: "Failures, runs over 30 min, to team-data". */
export const notifySummary = (notify: Schedule['notify']): string => {
  const events = [
    notify.onFailure ? 'failures' : '',
    notify.onSuccess ? 'successes' : '',
    notify.longerThanSeconds !== null ? `runs over ${Math.round(notify.longerThanSeconds / 60)} min` : '',
    notify.learnedDuration ? 'runs longer than usual' : '',
    notify.costOverUsd !== null ? `runs costing over $${notify.costOverUsd}` : '',
    notify.digest ? 'a daily digest' : '',
  ].filter(Boolean);
  if (events.length === 0) return 'Nothing';
  const text = events.join(', ');
  const where = notify.destination ? `, to ${notify.destination}` : '';
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${where}`;
};

/** Where a due time came from, in words. */
export const FIRE_SOURCE_TEXT: Record<Fire['source'], string> = {
  scheduler: 'Calendar',
  timer: 'Calendar',
  trigger: 'Run now',
  missed: 'Caught up',
  retry: 'Retry',
};

/** What a due time did, in words. */
export const FIRE_OUTCOME_TEXT: Record<Fire['outcome'], string> = {
  claimed: 'Starting',
  started: 'Started a run',
  queued: 'Queued',
  skipped: 'Skipped',
  failed: 'Could not start',
};

/** The overlap and missed policies in words, for the form's options and the schedule's page. */
export const OVERLAP_TEXT: Record<Schedule['overlap'], string> = {
  skip: 'Skip the due time',
  queue: 'Queue a run',
};

/** See OVERLAP_TEXT. */
export const MISSED_TEXT: Record<Schedule['missed'], string> = {
  skip: 'Skip them',
  latest: 'Run the latest once',
  all: 'Run each of them',
};

/**
 * A due time as a wall clock in the schedule's zone ("Mon, 3 Jun 2024, 09:00"): the zone decides the day and hour
 * a cron expression means, so due times are read there, not in the browser's zone. Falls back to UTC for a zone
 * this browser does not know.
 */
export const formatInZone = (iso: string, zone: string, locale?: string): string => {
  const options: Intl.DateTimeFormatOptions = {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  };
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '—';
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: zone }).format(at);
  } catch {
    return `${new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(at)} UTC`;
  }
};
