import type { Notice } from './notice.ts';
import type { Run } from './run.ts';
import { formatDuration } from './run-alerts.ts';
import type { Schedule, ScheduleFire } from './schedule.ts';

// The daily digest: one notice per owner (and destination) listing yesterday's due times of their schedules that
// asked for one, failures first. "Yesterday" is the UTC day before the sweep's: a schedule's zone decides when it
// fires, not which report a fire lands in, so every owner's digest covers the same 24 hours.

/** One due time in a digest: the schedule, its fire, and the run it started (null when it started none). */
export interface DigestEntry {
  schedule: Pick<Schedule, 'id' | 'name' | 'notebookTitle'>;
  fire: Pick<ScheduleFire, 'dueAt' | 'outcome' | 'reason'>;
  run: Pick<Run, 'id' | 'status' | 'durationSeconds' | 'error'> | null;
}

/** How a due time went, as the digest counts it. */
export type DigestOutcome = 'failed' | 'succeeded' | 'stopped' | 'open' | 'skipped' | 'queued';

/** The most lines a digest lists; the counts still cover every due time. */
export const DIGEST_MAX_LINES = 100;

/** The UTC day before `now`: its date and the half-open range [from, to) of due times it holds. */
export const digestDay = (now: Date): { day: string; from: string; to: string } => {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = new Date(to.getTime() - 86_400_000);
  return { day: from.toISOString().slice(0, 10), from: from.toISOString(), to: to.toISOString() };
};

/** How one due time went: its run's status, or the fire's outcome when it started no run. */
export const digestOutcome = (e: DigestEntry): DigestOutcome => {
  if (e.run) {
    if (e.run.status === 'FAILED') return 'failed';
    if (e.run.status === 'COMPLETED') return 'succeeded';
    if (e.run.status === 'STOPPED') return 'stopped';
    return 'open';
  }
  if (e.fire.outcome === 'failed') return 'failed';
  if (e.fire.outcome === 'skipped') return 'skipped';
  return e.fire.outcome === 'queued' ? 'queued' : 'open';
};

/** Due times in the order a digest lists them: failures first, then by due time, then by schedule name. */
export const orderDigest = (entries: readonly DigestEntry[]): DigestEntry[] =>
  [...entries].sort((a, b) => {
    const fa = digestOutcome(a) === 'failed' ? 0 : 1;
    const fb = digestOutcome(b) === 'failed' ? 0 : 1;
    if (fa !== fb) return fa - fb;
    if (a.fire.dueAt !== b.fire.dueAt) return a.fire.dueAt < b.fire.dueAt ? -1 : 1;
    return a.schedule.name.localeCompare(b.schedule.name);
  });

const MARK: Record<DigestOutcome, string> = {
  failed: '✗',
  succeeded: '✓',
  stopped: '■',
  open: '…',
  skipped: '–',
  queued: '…',
};

const lineOf = (e: DigestEntry): string => {
  const outcome = digestOutcome(e);
  const head = `${MARK[outcome]} ${e.fire.dueAt.slice(11, 16)} ${e.schedule.name} ('${e.schedule.notebookTitle}')`;
  if (!e.run) return `${head}: ${e.fire.outcome}${e.fire.reason ? `, ${e.fire.reason}` : ''}`;
  const took = e.run.durationSeconds !== null ? ` in ${formatDuration(e.run.durationSeconds)}` : '';
  const why = outcome === 'failed' && e.run.error ? `: ${e.run.error.reason}` : '';
  return `${head}: ${e.run.status}${took}${why} (${e.run.id})`;
};

/** What a digest is about and where it goes. */
export interface DigestInput {
  owner: string;
  /** The day it covers (YYYY-MM-DD, UTC). */
  day: string;
  destination: string | null;
  entries: readonly DigestEntry[];
  /** Some schedule had more due times that day than a digest reads: only its latest were read. */
  partial?: boolean;
  /** The portal's address, for the link to the schedules page; empty: no link. */
  portalUrl: string;
}

/** The digest notice of one owner's day, failures first; null when nothing of theirs was due that day. */
export const digestNotice = (input: DigestInput): Notice | null => {
  if (input.entries.length === 0) return null;
  const ordered = orderDigest(input.entries);
  const count = (o: DigestOutcome) => ordered.filter((e) => digestOutcome(e) === o).length;
  const failed = count('failed');
  const lines = ordered.slice(0, DIGEST_MAX_LINES).map(lineOf);
  if (ordered.length > DIGEST_MAX_LINES) lines.push(`… and ${ordered.length - DIGEST_MAX_LINES} more`);
  if (input.partial) lines.push('(a schedule had more due times that day than a digest reads: its latest are shown)');
  const base = input.portalUrl.replace(/\/$/, '');
  const n = ordered.length;
  return {
    user: input.owner,
    kind: 'digest',
    destination: input.destination,
    subject:
      `Orrery digest for ${input.day}: ` +
      (failed ? `${failed} of ${n} scheduled runs failed` : `${n} scheduled run${n === 1 ? '' : 's'}, none failed`),
    text: lines.join('\n'),
    fields: [
      { label: 'Due', value: String(n) },
      { label: 'Failed', value: String(failed) },
      { label: 'Succeeded', value: String(count('succeeded')) },
      { label: 'Skipped or other', value: String(n - failed - count('succeeded')) },
    ],
    ref: `digest-${input.day}`,
    ...(base ? { link: { label: 'Your schedules', url: `${base}/schedules` } } : {}),
  };
};
