import type { Notice } from './notice.ts';
import { roundCents } from './money.ts';
import { TERMINAL_STATUSES, type Run } from './run.ts';
import type { Schedule } from './schedule.ts';

// Which notices a scheduled run produces when it ends, from its schedule's `notify`. A run that ended STOPPED was
// stopped on purpose (by a person, or the schedule's own cancel), so it is not reported as a failure; its
// duration and cost are still checked, because the time was spent all the same.

/** How many of the notebook's latest successful runs the learned duration is taken from. */
export const LEARNED_SAMPLE_SIZE = 20;

/**
 * The fewest successful runs the learned duration needs. With fewer, the 95th percentile would be the longest run
 * seen so far (or noise), so no learned-duration notice is sent until the notebook has run successfully five times.
 */
export const MIN_LEARNED_SAMPLES = 5;

/** What the alerts of one ended run are decided from. */
export interface RunAlertInput {
  run: Run;
  schedule: Pick<Schedule, 'id' | 'name' | 'notify'>;
  /** Durations (seconds) of the notebook's latest successful runs, newest first, this run left out. */
  history: readonly number[];
  /** The hourly price of the run's profile; null when the profile is no longer in the registry. */
  hourlyPrice: number | null;
  /** The portal's address, which the run's link starts from; empty: no link. */
  portalUrl: string;
}

/** The nearest-rank percentile (`p` from 0 to 100) of some values: the smallest with p% of them at or below it. */
export const percentile = (values: readonly number[], p: number): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
};

/** The learned limit: the 95th percentile of the latest 20 successful durations; null with fewer than 5. */
export const learnedLimit = (history: readonly number[]): number | null => {
  const sample = history.slice(0, LEARNED_SAMPLE_SIZE);
  return sample.length < MIN_LEARNED_SAMPLES ? null : percentile(sample, 95);
};

/** A run's estimated cost: its profile's hourly price for as long as it ran, in US dollars. */
export const estimatedCostUsd = (hourlyPrice: number, seconds: number): number => (hourlyPrice * seconds) / 3600;

/** A duration as people read it: `45 s`, `3 min 20 s`, `2 h 05 min`. */
export const formatDuration = (seconds: number): string => {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
};

const dollars = (usd: number) => `$${roundCents(usd).toFixed(2)}`;
const ran = (input: RunAlertInput) => `'${input.schedule.name}' ran '${input.run.notebookTitle}'`;

// What every notice about the run shows, so each can be read alone.
const basics = (input: RunAlertInput) => {
  const { run, schedule } = input;
  const parameters = Object.keys(run.parameters).length ? JSON.stringify(run.parameters) : 'none';
  const fields = [
    { label: 'Notebook', value: `${run.notebookTitle} (version ${run.version})` },
    { label: 'Schedule', value: schedule.name },
    ...(run.dueAt ? [{ label: 'Due', value: run.dueAt }] : []),
    { label: 'Parameters', value: parameters.length > 500 ? `${parameters.slice(0, 499)}…` : parameters },
    ...(run.durationSeconds !== null ? [{ label: 'Duration', value: formatDuration(run.durationSeconds) }] : []),
  ];
  const base = input.portalUrl.replace(/\/$/, '');
  const link = base ? { label: 'Open the run', url: `${base}/runs/${encodeURIComponent(run.id)}` } : undefined;
  return {
    user: run.owner,
    destination: schedule.notify.destination,
    ref: run.id,
    fields,
    ...(link ? { link } : {}),
  };
};

const failed = (input: RunAlertInput): Notice => {
  const { run } = input;
  const e = run.error;
  const raised = e?.ename ? `${e.ename}: ${e.evalue ?? ''}`.trim() : null;
  const b = basics(input);
  return {
    ...b,
    kind: 'run-failed',
    subject: `Scheduled run of '${run.notebookTitle}' failed`,
    text: `${ran(input)} and it failed: ${e?.reason ?? 'no reason was recorded'}.`,
    fields: [
      ...b.fields,
      ...(e && e.cellIndex !== null ? [{ label: 'Failing cell', value: `#${e.cellIndex}` }] : []),
      ...(raised ? [{ label: 'Error', value: raised }] : []),
    ],
    ...(raised || e?.traceback.length ? { detail: [raised ?? '', ...(e?.traceback ?? [])].join('\n').trim() } : {}),
  };
};

const succeeded = (input: RunAlertInput): Notice => ({
  ...basics(input),
  kind: 'run-succeeded',
  subject: `Scheduled run of '${input.run.notebookTitle}' succeeded`,
  text: `${ran(input)} and it completed.`,
});

// One notice for a slow run, however many limits it crossed.
const slow = (input: RunAlertInput, seconds: number): Notice | null => {
  const { notify } = input.schedule;
  const reasons: string[] = [];
  if (notify.longerThanSeconds !== null && seconds > notify.longerThanSeconds) {
    reasons.push(`longer than the ${formatDuration(notify.longerThanSeconds)} its schedule allows`);
  }
  const learned = notify.learnedDuration ? learnedLimit(input.history) : null;
  if (learned !== null && seconds > learned) {
    const n = Math.min(input.history.length, LEARNED_SAMPLE_SIZE);
    reasons.push(`longer than ${formatDuration(learned)}, the 95th percentile of its last ${n} successful runs`);
  }
  if (reasons.length === 0) return null;
  return {
    ...basics(input),
    kind: 'run-slow',
    subject: `Scheduled run of '${input.run.notebookTitle}' took ${formatDuration(seconds)}`,
    text: `${ran(input)} for ${formatDuration(seconds)}: ${reasons.join('; ')}.`,
  };
};

const costly = (input: RunAlertInput, seconds: number): Notice | null => {
  const limit = input.schedule.notify.costOverUsd;
  if (limit === null || input.hourlyPrice === null) return null;
  const cost = estimatedCostUsd(input.hourlyPrice, seconds);
  if (cost <= limit) return null;
  return {
    ...basics(input),
    kind: 'run-cost',
    subject: `Scheduled run of '${input.run.notebookTitle}' cost about ${dollars(cost)}`,
    text:
      `${ran(input)} on ${input.run.profile} ` +
      `(${dollars(input.hourlyPrice)} an hour) for ${formatDuration(seconds)}: about ${dollars(cost)}, ` +
      `over the ${dollars(limit)} its schedule allows.`,
  };
};

/**
 * The notices a scheduled run that has ended produces, in this order: failed (when it FAILED and the schedule
 * asks), succeeded (COMPLETED, opt-in), slow (over `longerThanSeconds`, or over the learned 95th percentile of the
 * notebook's last 20 successful runs once it has at least 5), costly (estimated cost over `costOverUsd`). A run
 * still open, or one without a schedule, produces none.
 */
export const runAlerts = (input: RunAlertInput): Notice[] => {
  const { run, schedule } = input;
  if (!run.scheduleId || !TERMINAL_STATUSES.has(run.status)) return [];
  const notices: (Notice | null)[] = [
    run.status === 'FAILED' && schedule.notify.onFailure ? failed(input) : null,
    run.status === 'COMPLETED' && schedule.notify.onSuccess ? succeeded(input) : null,
  ];
  const seconds = run.durationSeconds;
  if (seconds !== null && Number.isFinite(seconds)) notices.push(slow(input, seconds), costly(input, seconds));
  return notices.filter((n): n is Notice => n !== null);
};
