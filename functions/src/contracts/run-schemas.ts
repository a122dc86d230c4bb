import * as z from 'zod';
import { RUN_STATUSES } from '../domain/run.ts';
import { PresignedSchema } from './schemas.ts';

/** A run id in a path: server-made, so anything else is refused before a lookup. */
export const RunIdParams = z.strictObject({
  id: z.string().regex(/^run-[0-9a-z]{8,40}$/, "must be a run id such as 'run-0123abcd…'"),
});

const parameters = z.record(z.string(), z.unknown(), { error: 'must be an object of parameter name to value' });
const idempotencyKey = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 letters, digits, . _ : or -');
const timeoutSeconds = z
  .number()
  .int('must be a whole number of seconds')
  .min(10, 'must be at least 10 seconds')
  .max(86_400, 'must be at most 86400 seconds (24 h)');

/** POST /notebooks/{id}/runs. */
export const StartRunBody = z.strictObject({
  version: z.number().int().positive().optional().describe('the version to run; default the latest'),
  parameters: parameters
    .optional()
    .describe("name to value, checked against the version's parameters before anything starts (a rerun: overrides)"),
  allowUnknownParameters: z
    .boolean()
    .optional()
    .describe('inject names the parameters cell does not assign, not refuse them'),
  profile: z
    .string()
    .max(64)
    .optional()
    .describe("the profile to run on (GET /profiles); default the first open to you (a rerun: the earlier run's)"),
  timeoutSeconds: timeoutSeconds
    .optional()
    .describe("the whole run's time limit; default 3600 (a rerun: the earlier's)"),
  cellTimeoutSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(1)
    .max(86_400)
    .optional()
    .describe('a time limit per cell; default none'),
  idempotencyKey: idempotencyKey
    .optional()
    .describe('the same key within 24 hours answers with that run, not a new one (another notebook: 409)'),
  role: z
    .string()
    .min(1)
    .max(64)
    .nullable()
    .optional()
    .describe(
      "an AWS role you hold (GET /credentials/roles): the run's kernel gets its keys, refreshed as they age " +
        "(403 for a role you do not hold); null for none; a rerun without it keeps the earlier run's",
    ),
});

/** POST /runs/{id}/rerun: the same inputs with optional overrides (the version is the earlier run's). */
export const RerunBody = StartRunBody.omit({ version: true });

/** GET /runs. */
export const ListRunsQuery = z.strictObject({
  notebook: z
    .string()
    .regex(/^nb-[0-9a-z]{8,40}$/, 'must be a notebook id')
    .optional()
    .describe("only this notebook's runs"),
  owner: z.string().max(128).optional().describe('only runs this user started; default yours unless notebook is given'),
  status: z
    .enum(RUN_STATUSES)
    .optional()
    .describe("only runs in this status (admins with no other filter: everyone's)"),
  schedule: z
    .string()
    .regex(/^sch-[0-9a-z]{8,40}$/, 'must be a schedule id')
    .optional()
    .describe("only this schedule's runs, latest due time first (its owner and admins)"),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'must be a whole number from 1 to 200')
    .transform(Number)
    .pipe(z.number().int().min(1).max(200))
    .optional()
    .default(50)
    .describe('how many items a page holds at most'),
  cursor: z.string().max(2048).optional().describe("the previous page's nextCursor"),
});

const RunErrorSchema = z.object({
  reason: z.string(),
  cellIndex: z.number().nullable(),
  ename: z.string().nullable(),
  evalue: z.string().nullable(),
  traceback: z.array(z.string()),
});

/** A run as the API returns it. */
export const RunSchema = z.object({
  id: z.string(),
  notebookId: z.string(),
  // The title when the run started, not a live join. Always a string: for runs recorded before titles were
  // kept, the run store answers the notebook id (the store-side fallback, so clients need no optional case).
  notebookTitle: z.string().describe("the notebook's title when the run started"),
  version: z.number(),
  owner: z.string().describe('who started it'),
  notebookOwner: z.string(),
  language: z.string().describe("the kernel's language the parameters were written in"),
  parameters: z.record(z.string(), z.unknown()).describe('the values injected, as papermill records them'),
  profile: z.string(),
  timeoutSeconds: z.number(),
  cellTimeoutSeconds: z.number().nullable(),
  status: z.enum(RUN_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  error: RunErrorSchema.nullable().describe(
    'why it failed: the reason, and the failing cell with its exception if any',
  ),
  idempotencyKey: z.string().nullable(),
  rerunOf: z.string().nullable().describe('the run this one reran'),
  hasOutput: z.boolean().describe('an output notebook was saved (partial when the run failed or stopped)'),
  outputTruncated: z
    .boolean()
    .describe('the runner cut or dropped outputs past its caps; the output notebook marks where'),
  stopRequestedBy: z.string().nullable().describe('who asked for the stop'),
  role: z.string().nullable().describe("the AWS role whose keys the run's kernel gets; null for none"),
  scheduleId: z.string().nullable().describe('the schedule that started it; null for a run started by hand'),
  dueAt: z.string().nullable().describe('the due time the schedule ran it for'),
  attempt: z.number().describe("which try of the due time: 0 first, then the schedule's retries"),
  output: PresignedSchema.nullable().describe('a presigned download of the output notebook'),
  outputHtmlPath: z.string().nullable().describe("the API path of the output's rendered page"),
});
