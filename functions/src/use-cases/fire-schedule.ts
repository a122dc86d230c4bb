import { AppError, ValidationError } from '../domain/errors.ts';
import { TERMINAL_STATUSES } from '../domain/run.ts';
import {
  DELEGATION_WARNING_DAYS,
  dueTimeKey,
  fireRunId,
  scheduleOwner,
  type FireSource,
  type Schedule,
  type ScheduleFire,
} from '../domain/schedule.ts';
import { nextDueTimes } from '../domain/schedule-expression.ts';
import type { FireChanges, ScheduleChanges } from '../ports/schedule-store.ts';
import type { ScheduleDeps } from './schedule-deps.ts';
import { startRun } from './start-run.ts';

/** One delivery of a due time: from the calendar, a run-now, a catch-up, or a failed run's retry. */
export interface FireInput {
  scheduleId: string;
  /** The due time, as Scheduler's `<aws.scheduler.scheduled-time>` or any ISO instant. */
  dueAt: string;
  source: FireSource;
  /** 0 for the due time itself; n for its n-th retry. */
  attempt?: number;
}

const DAY_MS = 86_400_000;
// How long a claim belongs to the delivery that made it: a fire takes well under this, so an older claim was left
// by a delivery that stopped midway, and the next delivery finishes it.
const CLAIM_LEASE_MS = 120_000;

/**
 * Another delivery of the same due time is starting it right now. Not an AppError on purpose: the invocation fails,
 * so Scheduler delivers it again later, when the claim is settled (nothing more to do) or stale (finish it).
 */
export class FireInProgress extends Error {
  constructor(scheduleId: string, dueAt: string) {
    super(`due time ${dueAt} of schedule ${scheduleId} is being started by another delivery; try again later`);
    this.name = 'FireInProgress';
  }
}

/**
 * Handles one delivery of one due time, so that each due time starts at most one run however often it arrives.
 * 1. A deleted schedule, or a paused one delivered by the calendar, starts nothing.
 * 2. Claim `FIRE#<schedule>#<due time>` with a conditional put before anything starts. A repeated delivery gets
 *    the settled fire back and starts nothing new; one that arrives while the claim is being worked on fails
 *    (FireInProgress) to be delivered again; a claim left half-done for two minutes (its delivery stopped) is
 *    finished with the same run id, derived from (schedule, due time, try), which the run store accepts once.
 * 3. With `maxConcurrentRuns` of its runs still running, the fire is skipped or queued (`overlap`); a run-now is
 *    not held back.
 * 4. The owner's delegation is checked (still held, not expired; expiring within three days is notified), then
 *    the run starts as the owner, its parameters checked against the version that runs. A fire that cannot start
 *    records why and notifies the owner.
 */
export const fireSchedule = async (deps: ScheduleDeps, input: FireInput): Promise<ScheduleFire | null> => {
  const schedule = await deps.schedules.getSchedule(input.scheduleId);
  if (!schedule) return null;
  // A paused schedule starts nothing the calendar delivers, its retries included; a run-now still runs.
  if (schedule.paused && input.source !== 'trigger' && input.source !== 'missed') return null;
  const at = new Date(input.dueAt);
  if (Number.isNaN(at.getTime()))
    throw new ValidationError(`due time '${input.dueAt}' is not an instant`, [{ path: 'dueAt', message: 'not ISO' }]);
  const dueAt = dueTimeKey(at);
  const attempt = input.attempt ?? 0;
  if (attempt > 0) return retryFire(deps, schedule, dueAt, attempt);
  const now = deps.clock.now().toISOString();
  const { fire, created } = await deps.schedules.claimFire({
    scheduleId: schedule.id,
    dueAt,
    owner: schedule.owner,
    source: input.source,
    outcome: 'claimed',
    runId: fireRunId(schedule.id, dueAt, 0),
    attempt: 0,
    reason: null,
    firedAt: now,
    updatedAt: now,
  });
  if (!created && fire.outcome !== 'claimed') return fire;
  if (!created && Date.parse(now) - Date.parse(fire.updatedAt) < CLAIM_LEASE_MS)
    throw new FireInProgress(schedule.id, dueAt);
  return decideFire(deps, schedule, fire);
};

// A retry arrives once per try: a later try, or this one settled, is a repeated delivery; this try's claim is
// worked on (fresh: deliver again later) or was left midway (stale: finish it with the same run id).
const retryFire = async (deps: ScheduleDeps, schedule: Schedule, dueAt: string, attempt: number) => {
  const fire = await deps.schedules.getFire(schedule.id, dueAt);
  if (!fire || fire.attempt > attempt) return fire;
  if (fire.attempt === attempt) {
    if (fire.outcome !== 'claimed') return fire;
    if (deps.clock.now().getTime() - Date.parse(fire.updatedAt) < CLAIM_LEASE_MS)
      throw new FireInProgress(schedule.id, dueAt);
    return startFire(deps, schedule, fire);
  }
  const claimed = await deps.schedules.updateFire(schedule.id, dueAt, {
    attempt,
    runId: fireRunId(schedule.id, dueAt, attempt),
    outcome: 'claimed',
    reason: null,
    updatedAt: deps.clock.now().toISOString(),
  });
  return claimed ? startFire(deps, schedule, claimed) : null;
};

/** Starts a claimed (or dequeued) fire unless the schedule's runs are at their limit. */
export const decideFire = async (deps: ScheduleDeps, schedule: Schedule, fire: ScheduleFire) => {
  if (fire.source !== 'trigger') {
    const active = await stillRunning(deps, schedule);
    if (active.length >= schedule.maxConcurrentRuns) {
      // Missed due times (missed: all) wait their turn: skipping them would leave only the oldest.
      const queue = schedule.overlap === 'queue' || fire.source === 'missed';
      const reason =
        `${active.length} of its runs still running (maxConcurrentRuns ${schedule.maxConcurrentRuns}): ` +
        (queue ? 'queued until one ends' : 'skipped (overlap: skip)');
      return settle(
        deps,
        schedule,
        fire,
        { outcome: queue ? 'queued' : 'skipped', reason, ...(queue ? {} : { runId: null }) },
        queue ? 'QUEUED' : 'SKIPPED',
      );
    }
  }
  return startFire(deps, schedule, fire);
};

// Reads only the runs the schedule holds as active (at most maxConcurrentRuns and a few), dropping ended ones.
const stillRunning = async (deps: ScheduleDeps, schedule: Schedule): Promise<string[]> => {
  const runs = await Promise.all(schedule.activeRunIds.map((id) => deps.runs.getRun(id)));
  return runs.filter((r) => r && !TERMINAL_STATUSES.has(r.status)).map((r) => r!.id);
};

const startFire = async (deps: ScheduleDeps, schedule: Schedule, fire: ScheduleFire) => {
  const problem = await delegationProblem(deps, schedule);
  if (problem) return failFire(deps, schedule, fire, problem);
  try {
    const run = await startRun(deps, {
      user: scheduleOwner(schedule),
      notebookId: schedule.notebookId,
      version: schedule.version ?? undefined,
      parameters: schedule.parameters,
      profile: schedule.profile,
      timeoutSeconds: schedule.timeoutSeconds ?? undefined,
      role: schedule.delegation?.role ?? null,
      fire: {
        runId: fire.runId ?? fireRunId(schedule.id, fire.dueAt, fire.attempt),
        scheduleId: schedule.id,
        dueAt: fire.dueAt,
        attempt: fire.attempt,
        roleTeam: schedule.delegation?.team ?? null,
      },
    });
    if (TERMINAL_STATUSES.has(run.status)) return launchFailed(deps, schedule, fire, run.id, run.error?.reason);
    return settle(deps, schedule, fire, { outcome: 'started', runId: run.id, reason: null }, run.status, run.id);
  } catch (err) {
    // Platform trouble (a store down) leaves the claim as it is: the calendar's retry finishes it.
    if (!(err instanceof AppError)) throw err;
    return failFire(deps, schedule, fire, `the run could not start: ${err.message}`);
  }
};

// The run was recorded but its workflow could not start (it ended FAILED at once): no run end will follow, so its
// retry is arranged here, and the owner told as for a fire that could not start.
const launchFailed = async (
  deps: ScheduleDeps,
  schedule: Schedule,
  fire: ScheduleFire,
  runId: string,
  why: string | undefined,
) => {
  if (fire.attempt < schedule.retries && !schedule.paused) {
    const at = new Date(deps.clock.now().getTime() + schedule.retryDelaySeconds * 1000);
    await deps.calendar.retryAt(schedule, fire.dueAt, fire.attempt + 1, at);
  }
  return failFire(deps, schedule, fire, why ?? 'its run could not be started', runId);
};

const failFire = async (
  deps: ScheduleDeps,
  schedule: Schedule,
  fire: ScheduleFire,
  reason: string,
  runId: string | null = null,
) => {
  const settled = await settle(deps, schedule, fire, { outcome: 'failed', reason, runId }, 'NOT_STARTED');
  // One notice per streak: a schedule that cannot start at every due time is reported once, until it starts again.
  if (schedule.notify.onFailure && schedule.lastStatus !== 'NOT_STARTED')
    await deps.notifier.notify({
      user: schedule.owner,
      kind: 'schedule-failed',
      destination: schedule.notify.destination,
      subject: `Schedule "${schedule.name}" could not start its run`,
      text: `Due ${fire.dueAt}: ${reason}`,
      fields: [
        { label: 'Notebook', value: schedule.notebookTitle },
        { label: 'Due', value: fire.dueAt },
      ],
      link: scheduleLink(deps, schedule),
      ref: schedule.id,
    });
  return settled;
};

/** The portal's page of a schedule, when the portal's address is known. */
export const scheduleLink = (deps: Pick<ScheduleDeps, 'scheduleSettings'>, schedule: Pick<Schedule, 'id'>) =>
  deps.scheduleSettings.portalUrl
    ? { label: 'Open the schedule', url: `${deps.scheduleSettings.portalUrl}/schedules/${schedule.id}` }
    : undefined;

// Whether this is the schedule's last due time before the delegation ends: a weekly or monthly schedule would not
// fire again within three days of the end, so its owner is told now.
const lastFireBefore = (schedule: Schedule, now: Date, expiresAt: string): boolean => {
  const [next] = nextDueTimes(schedule.expression, schedule.timezone, now, 1, new Date(schedule.createdAt));
  return !next || next.toISOString() >= expiresAt;
};

// Why the delegation no longer lets the schedule run, or null; the first fire within three days of its end, or the
// last before it, tells the owner once (warnedAt).
const delegationProblem = async (deps: ScheduleDeps, schedule: Schedule): Promise<string | null> => {
  const d = schedule.delegation;
  if (!d) return null;
  const now = deps.clock.now();
  const left = new Date(d.expiresAt).getTime() - now.getTime();
  if (left <= 0)
    return `the delegation of role '${d.role}' ended at ${d.expiresAt}; renew it: PATCH /schedules/${schedule.id} {role}`;
  if (!d.warnedAt && (left <= DELEGATION_WARNING_DAYS * DAY_MS || lastFireBefore(schedule, now, d.expiresAt))) {
    await deps.notifier.notify({
      user: schedule.owner,
      kind: 'delegation-expiring',
      destination: schedule.notify.destination,
      subject: `Schedule "${schedule.name}": role '${d.role}' is delegated until ${d.expiresAt}`,
      text: `After ${d.expiresAt} its runs cannot start. Renew the delegation on the schedule's page.`,
      link: scheduleLink(deps, schedule),
      ref: schedule.id,
    });
    await updateWithRetry(deps, schedule.id, (s) =>
      s.delegation ? { delegation: { ...s.delegation, warnedAt: now.toISOString() } } : null,
    );
  }
  return null;
};

// Records what the fire did, then moves the schedule's last due time, status and active runs forward.
const settle = async (
  deps: ScheduleDeps,
  schedule: Schedule,
  fire: ScheduleFire,
  changes: Omit<FireChanges, 'updatedAt'>,
  status: string,
  runId?: string,
) => {
  const now = deps.clock.now().toISOString();
  const settled = (await deps.schedules.updateFire(schedule.id, fire.dueAt, { ...changes, updatedAt: now })) ?? fire;
  await updateWithRetry(
    deps,
    schedule.id,
    (s) => {
      const latest = !s.lastDueAt || fire.dueAt >= s.lastDueAt;
      const active = runId && !s.activeRunIds.includes(runId) ? [...s.activeRunIds, runId] : undefined;
      if (!latest && !active) return null;
      return {
        ...(latest ? { lastDueAt: fire.dueAt, lastStatus: status } : {}),
        ...(active ? { activeRunIds: active } : {}),
      };
    },
    schedule,
  );
  return settled;
};

/**
 * Applies a change computed from the schedule as stored, again on a fresh read when another write came first
 * (the revision moved); `change` returns null for nothing to do. Gives up quietly after a few tries: what it
 * records is bookkeeping the next fire or run end corrects.
 */
export const updateWithRetry = async (
  deps: Pick<ScheduleDeps, 'schedules' | 'clock'>,
  id: string,
  change: (s: Schedule) => Omit<ScheduleChanges, 'updatedAt'> | null,
  known?: Schedule,
): Promise<Schedule | null> => {
  for (let tries = 0; tries < 5; tries += 1) {
    // The caller's copy saves a read when nothing wrote since; a stale one costs a refused write and a read.
    const current = tries === 0 && known ? known : await deps.schedules.getSchedule(id);
    if (!current) return null;
    const changes = change(current);
    if (!changes) return current;
    const updated = await deps.schedules.updateSchedule(id, current.revision, {
      ...changes,
      updatedAt: deps.clock.now().toISOString(),
    });
    if (updated) return updated;
  }
  return null;
};
