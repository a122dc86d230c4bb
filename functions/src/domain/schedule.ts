import { tokenDigest } from './token-digest.ts';
import type { User } from './user.ts';

/** What a due time does while the schedule's earlier runs still run: start nothing, or wait its turn. */
export type OverlapPolicy = 'skip' | 'queue';

/** What due times missed while the platform was down or the schedule paused become: none, the last, or each. */
export type MissedPolicy = 'skip' | 'latest' | 'all';

/** Who hears what about a schedule's runs, and where (a destination an admin named; never a URL). */
export interface ScheduleNotify {
  /** The named destination (ORRERY_NOTIFY_DESTINATIONS); null: the platform's default, if any. */
  destination: string | null;
  onFailure: boolean;
  onSuccess: boolean;
  /** A run longer than this is reported; null for no fixed limit. */
  longerThanSeconds: number | null;
  /** A run longer than the 95th percentile of the notebook's last 20 successful runs is reported. */
  learnedDuration: boolean;
  /** A run whose estimated cost is over this is reported; null for no limit. */
  costOverUsd: number | null;
  /** A daily digest of yesterday's runs of the owner's schedules. */
  digest: boolean;
}

/** The owner's grant that a schedule's runs may use one of their roles, for a bounded time. */
export interface Delegation {
  role: string;
  /** The team the role's sessions are tagged with (as a run's roleTeam). */
  team: string | null;
  grantedAt: string;
  expiresAt: string;
  /** When the owner was told it expires soon; null until then. */
  warnedAt: string | null;
}

/** A notebook that reruns itself on a calendar, as its owner. */
export interface Schedule {
  id: string;
  owner: string;
  /** The owner's teams when they last saved it: a fire runs as them, with these teams (no token is at hand then). */
  ownerTeams: string[];
  notebookId: string;
  notebookOwner: string;
  /** The title when the schedule was saved, for lists; runs record the title they ran. */
  notebookTitle: string;
  name: string;
  /** EventBridge Scheduler syntax: `cron(m h dom mon dow y)` or `rate(n unit)`. */
  expression: string;
  /** IANA zone the cron fields are read in. */
  timezone: string;
  /** The values as the owner sent them (JSON); checked again at each fire against the version that runs. */
  parameters: Record<string, unknown>;
  /** A pinned version, or null for the latest at each fire. */
  version: number | null;
  profile: string;
  role: string | null;
  delegation: Delegation | null;
  timeoutSeconds: number | null;
  /** How many times a failed run is started again (0–5), `retryDelaySeconds` apart. */
  retries: number;
  retryDelaySeconds: number;
  maxConcurrentRuns: number;
  overlap: OverlapPolicy;
  missed: MissedPolicy;
  /** How far back `missed: all` reaches. */
  catchUpSeconds: number;
  notify: ScheduleNotify;
  paused: boolean;
  /** When it was last paused (for the missed policy on resume); null while it never was. */
  pausedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The latest due time handled (fired, skipped or queued): where missed due times start from. */
  lastDueAt: string | null;
  /** The status of the latest fire's run, or of the fire when it started nothing. */
  lastStatus: string | null;
  /** Runs it started that have not ended yet: what `maxConcurrentRuns` counts (an ended run is pruned on read). */
  activeRunIds: string[];
  /** Bumped by every write: updates are conditional on it, so two edits never interleave. */
  revision: number;
}

/** Where a fire came from. */
export type FireSource = 'scheduler' | 'timer' | 'trigger' | 'missed' | 'retry';

/** What a fire did: claimed (in progress), started a run, queued behind earlier runs, skipped, or failed to start. */
export type FireOutcome = 'claimed' | 'started' | 'queued' | 'skipped' | 'failed';

/** One due time of one schedule, recorded before anything starts so a repeated delivery starts nothing new. */
export interface ScheduleFire {
  scheduleId: string;
  /** The due time (ISO, UTC, to the second); with scheduleId the fire's identity. */
  dueAt: string;
  owner: string;
  source: FireSource;
  outcome: FireOutcome;
  /** The run id chosen when the fire was claimed, so a redelivery that finds the claim finishes the same run. */
  runId: string | null;
  /** Retries of a failed run: 0 for the first. */
  attempt: number;
  reason: string | null;
  firedAt: string;
  updatedAt: string;
}

/** Who may see and change a schedule: its owner and admins. */
export const canManageSchedule = (user: User, schedule: Pick<Schedule, 'owner'>): boolean =>
  user.admin || schedule.owner === user.id;

/** The most a delegation lasts. */
export const MAX_DELEGATION_DAYS = 90;

/** How long before a delegation ends its owner is told. */
export const DELEGATION_WARNING_DAYS = 3;

/** The most retries a schedule may ask for. */
export const MAX_SCHEDULE_RETRIES = 5;

/** A due time as fires store it: UTC to the second (Scheduler's `<aws.scheduler.scheduled-time>` form). */
export const dueTimeKey = (due: Date): string => `${due.toISOString().slice(0, 19)}Z`;

/**
 * The id of the run a fire starts, derived from (schedule, due time, try): a repeated delivery derives the same id,
 * and a run id is also its workflow's execution name, so only `[0-9a-z]` (Scheduler's time has `:`, which execution
 * names refuse).
 */
export const fireRunId = (scheduleId: string, dueAt: string, attempt: number): string =>
  `run-${tokenDigest(`${scheduleId}#${dueAt}#${attempt}`).slice(0, 32)}`;

/** The user a schedule's runs run as: its owner with the teams they had when they saved it, never as an admin. */
export const scheduleOwner = (schedule: Pick<Schedule, 'owner' | 'ownerTeams'>): User => ({
  id: schedule.owner,
  name: schedule.owner,
  teams: schedule.ownerTeams,
  admin: false,
});
