import { digestDay, digestNotice, type DigestEntry } from '../domain/digest.ts';
import type { Run } from '../domain/run.ts';
import type { Schedule, ScheduleFire } from '../domain/schedule.ts';
import type { ScheduleStore } from '../ports/schedule-store.ts';
import type { NotifyDeps } from './notify-deps.ts';
import type { RunDeps } from './run-deps.ts';

/** What the daily digest sweep needs. */
export type SendDigestsDeps = Pick<NotifyDeps, 'notifier' | 'notifySettings' | 'clock'> &
  Pick<RunDeps, 'runs'> & { schedules: Pick<ScheduleStore, 'listActive' | 'listFires'> };

/** What one sweep did. */
export interface DigestSweep {
  day: string;
  /** Schedules that asked for a digest. */
  schedules: number;
  /** Digests sent (one per owner and destination with something due that day). */
  sent: number;
}

// Bounds one schedule's reads: a day of a schedule due every five minutes; a busier one shows its latest.
const MAX_FIRES_PER_SCHEDULE = 288;
const FIRE_PAGE = 100;
// Runs are read a few at a time, so a busy day neither waits on each read nor floods the table.
const RUN_READS_AT_ONCE = 10;

const firesOfDay = async (
  deps: SendDigestsDeps,
  schedule: Schedule,
  from: string,
  to: string,
): Promise<{ fires: ScheduleFire[]; partial: boolean }> => {
  const fires: ScheduleFire[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await deps.schedules.listFires(schedule.id, { after, limit: FIRE_PAGE });
    for (const fire of page.items) {
      if (fire.dueAt < from) return { fires, partial: false };
      if (fire.dueAt >= to) continue;
      if (fires.length === MAX_FIRES_PER_SCHEDULE) return { fires, partial: true };
      fires.push(fire);
    }
    if (!page.next) return { fires, partial: false };
    after = page.next;
  }
};

const runsOf = async (deps: SendDigestsDeps, fires: ScheduleFire[]): Promise<Map<string, Run>> => {
  const ids = fires.map((f) => f.runId).filter((id): id is string => !!id);
  const runs = new Map<string, Run>();
  for (let i = 0; i < ids.length; i += RUN_READS_AT_ONCE) {
    const read = await Promise.all(ids.slice(i, i + RUN_READS_AT_ONCE).map((id) => deps.runs.getRun(id)));
    for (const run of read) if (run) runs.set(run.id, run);
  }
  return runs;
};

/**
 * The daily digest: for each owner with a schedule that asked for one, yesterday's (UTC) due times of those
 * schedules and their runs, failures first, in one notice per destination the schedules name.
 * 1. List the unpaused schedules and keep those with `notify.digest`.
 * 2. For each, read the fires due yesterday (newest first, at most 288) and the runs they started.
 * 3. Group by owner and destination; send one digest each (none for an owner with nothing due).
 */
export const sendDigests = async (deps: SendDigestsDeps): Promise<DigestSweep> => {
  const { day, from, to } = digestDay(deps.clock.now());
  const wanted = (await deps.schedules.listActive()).filter((s) => s.notify.digest);
  const groups = new Map<
    string,
    { owner: string; destination: string | null; entries: DigestEntry[]; partial: boolean }
  >();
  for (const schedule of wanted) {
    const { fires, partial } = await firesOfDay(deps, schedule, from, to);
    const runs = await runsOf(deps, fires);
    const key = JSON.stringify([schedule.owner, schedule.notify.destination]);
    const group = groups.get(key) ?? {
      owner: schedule.owner,
      destination: schedule.notify.destination,
      entries: [],
      partial: false,
    };
    group.entries.push(
      ...fires.map((fire) => ({ schedule, fire, run: fire.runId ? (runs.get(fire.runId) ?? null) : null })),
    );
    group.partial ||= partial;
    groups.set(key, group);
  }
  let sent = 0;
  for (const g of groups.values()) {
    const notice = digestNotice({ ...g, day, portalUrl: deps.notifySettings.portalUrl });
    if (!notice) continue;
    await deps.notifier.notify(notice);
    sent += 1;
  }
  return { day, schedules: wanted.length, sent };
};
