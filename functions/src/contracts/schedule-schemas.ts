import * as z from 'zod';
import { MAX_DELEGATION_DAYS, MAX_SCHEDULE_RETRIES } from '../domain/schedule.ts';
import { PageQuery } from './schemas.ts';

/** A schedule id in a path: server-made, so anything else is refused before a lookup. */
export const ScheduleIdParams = z.strictObject({
  id: z.string().regex(/^sch-[0-9a-z]{8,40}$/, "must be a schedule id such as 'sch-0123abcd…'"),
});

const expression = z
  .string()
  .min(1, 'expression must not be empty')
  .max(256, 'expression must be at most 256 characters')
  .describe('EventBridge Scheduler syntax: cron(min hour day-of-month month day-of-week year) or rate(n unit)');
const timezone = z.string().min(1).max(64).describe('an IANA time zone, e.g. Europe/Berlin; default UTC');

const notify = z
  .strictObject({
    destination: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be the name of a destination an admin configured')
      .nullable()
      .optional()
      .describe("a destination's name (GET /schedules/destinations); default the platform's default"),
    onFailure: z.boolean().optional().describe('a failed run, or a due time that could not start; default true'),
    onSuccess: z.boolean().optional().describe('every successful run; default false'),
    longerThanSeconds: z
      .number()
      .int()
      .min(1)
      .max(604_800)
      .nullable()
      .optional()
      .describe('a run that takes longer than this; default none'),
    learnedDuration: z
      .boolean()
      .optional()
      .describe("a run longer than the 95th percentile of the notebook's last 20 successful runs; default false"),
    costOverUsd: z.number().positive().max(1_000_000).nullable().optional().describe('estimated cost over this'),
    digest: z.boolean().optional().describe("a daily digest of yesterday's runs of your schedules; default false"),
  })
  .describe('who hears what: failures by default');

const fields = {
  expression,
  timezone: timezone.optional(),
  parameters: z
    .record(z.string(), z.unknown(), { error: 'must be an object of parameter name to value' })
    .optional()
    .describe("name to value, checked against the notebook's parameters now and at each fire"),
  version: z
    .number()
    .int()
    .positive()
    .nullable()
    .optional()
    .describe('a version to pin; null or absent: the latest at each fire'),
  profile: z
    .string()
    .max(64)
    .optional()
    .describe('the profile runs use (GET /profiles); default the first open to you'),
  role: z
    .string()
    .min(1)
    .max(64)
    .nullable()
    .optional()
    .describe('a role you hold, delegated to this schedule for delegationDays; null for none'),
  delegationDays: z
    .number()
    .int()
    .min(1)
    .max(MAX_DELEGATION_DAYS, `a delegation lasts at most ${MAX_DELEGATION_DAYS} days`)
    .optional()
    .describe(`how long the role is delegated (at most ${MAX_DELEGATION_DAYS}; default ${MAX_DELEGATION_DAYS})`),
  timeoutSeconds: z.number().int().min(10).max(86_400).nullable().optional().describe("each run's limit"),
  paused: z.boolean().optional().describe('saved paused; default false'),
  retries: z
    .number()
    .int()
    .min(0)
    .max(MAX_SCHEDULE_RETRIES, `retries must be at most ${MAX_SCHEDULE_RETRIES}`)
    .optional()
    .describe('times a failed run is started again; default 0'),
  retryDelaySeconds: z.number().int().min(60).max(3600).optional().describe('between retries; default 300'),
  maxConcurrentRuns: z.number().int().min(1).max(10).optional().describe('runs of it at once; default 1'),
  overlap: z.enum(['skip', 'queue']).optional().describe('a due time while maxConcurrentRuns run: skip (default)'),
  missed: z
    .enum(['skip', 'latest', 'all'])
    .optional()
    .describe('due times missed while down or paused: skip (default), the latest, or all within catchUpSeconds'),
  catchUpSeconds: z.number().int().min(60).max(604_800).optional().describe('how far back missed: all reaches'),
  notify: notify.optional(),
};

/** POST /notebooks/{id}/schedules. */
export const CreateScheduleBody = z.strictObject({
  name: z
    .string()
    .min(1, 'name must not be empty')
    .max(100, 'name must be at most 100 characters')
    .regex(/^[^\p{Cc}]*$/u, 'name must not hold control characters'),
  ...fields,
});

/** PATCH /schedules/{id}: any field; `paused` pauses and resumes; a role renews its delegation. */
export const UpdateScheduleBody = CreateScheduleBody.partial().strict();

/** GET /schedules. */
export const ListSchedulesQuery = PageQuery.extend({
  owner: z.string().min(1).max(128).optional().describe("admins: whose (a user id, or * for everyone's)"),
});

/** GET /schedules/preview. */
export const PreviewScheduleQuery = z.strictObject({
  expression,
  timezone: timezone.optional(),
  count: z
    .string()
    .regex(/^[0-9]{1,2}$/, 'must be a whole number from 1 to 20')
    .transform(Number)
    .pipe(z.number().int().min(1).max(20))
    .optional()
    .default(5)
    .describe('how many due times; default 5'),
});

/** The next due times of an expression. */
export const SchedulePreviewSchema = z.object({
  expression: z.string(),
  timezone: z.string(),
  due: z.array(z.string()).describe('the next due times, ISO UTC'),
  dueLocal: z.array(z.string()).describe('the same in the zone, as wall-clock text'),
});

/** A fire as the API shows it: a due time, what it did, and its run. */
export const FireSchema = z.object({
  dueAt: z.string(),
  source: z.enum(['scheduler', 'timer', 'trigger', 'missed', 'retry']),
  outcome: z.enum(['claimed', 'started', 'queued', 'skipped', 'failed']),
  runId: z.string().nullable(),
  runStatus: z.string().nullable().describe("its run's status, when it started one"),
  attempt: z.number(),
  reason: z.string().nullable().describe('why it started nothing'),
  firedAt: z.string(),
});

/** A schedule as the API shows it. */
export const ScheduleSchema = z.object({
  id: z.string(),
  name: z.string(),
  owner: z.string(),
  notebookId: z.string(),
  notebookTitle: z.string(),
  expression: z.string(),
  timezone: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  version: z.number().nullable(),
  profile: z.string(),
  role: z.string().nullable(),
  delegation: z
    .object({ role: z.string(), grantedAt: z.string(), expiresAt: z.string() })
    .nullable()
    .describe('the role granted to the schedule, until when'),
  timeoutSeconds: z.number().nullable(),
  retries: z.number(),
  retryDelaySeconds: z.number(),
  maxConcurrentRuns: z.number(),
  overlap: z.enum(['skip', 'queue']),
  missed: z.enum(['skip', 'latest', 'all']),
  catchUpSeconds: z.number(),
  notify: z.object({
    destination: z.string().nullable(),
    onFailure: z.boolean(),
    onSuccess: z.boolean(),
    longerThanSeconds: z.number().nullable(),
    learnedDuration: z.boolean(),
    costOverUsd: z.number().nullable(),
    digest: z.boolean(),
  }),
  paused: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastDueAt: z.string().nullable(),
  lastStatus: z.string().nullable(),
  nextDue: z.array(z.string()).describe('the next due times (five on GET /schedules/{id}, one in lists)'),
  fires: z.array(FireSchema).optional().describe('GET /schedules/{id}: the recent fires, each with its run'),
});
