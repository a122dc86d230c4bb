import * as z from 'zod';
import { PageQuery } from './schemas.ts';
import { ServerNameParams } from './server-schemas.ts';

/** The most options a request's conf may hold. */
export const MAX_SPARK_CONF_ENTRIES = 200;
const CONF_KEY = /^spark\.[A-Za-z0-9_.\-/:]{1,250}$/;
const MAX_CONF_VALUE = 4096;

const slug = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, 'must be a slug: 1–32 lowercase letters, digits and inner dashes');

const conf = z
  .record(z.string(), z.string().max(MAX_CONF_VALUE, `a conf value must be at most ${MAX_CONF_VALUE} characters`))
  .superRefine((map, ctx) => {
    const keys = Object.keys(map);
    if (keys.length > MAX_SPARK_CONF_ENTRIES)
      ctx.addIssue({
        code: 'custom',
        message: `conf holds ${keys.length} options; send at most ${MAX_SPARK_CONF_ENTRIES}`,
      });
    for (const key of keys.filter((k) => !CONF_KEY.test(k)).slice(0, 5))
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message:
          `'${key.slice(0, 60)}' is not a Spark option: conf keys look like spark.executor.memory ` +
          '(spark. then letters, digits and . _ - / :)',
      });
  })
  .describe(
    `Spark options (string to string, at most ${MAX_SPARK_CONF_ENTRIES}, keys like spark.executor.memory); ` +
      'options Orrery sets itself are dropped with a warning',
  );

const request = {
  appName: z
    .string()
    .min(1, 'appName must not be empty: leave it out for the default')
    .max(100, 'appName must be at most 100 characters')
    .regex(/^[^\p{Cc}]*$/u, 'appName must not hold control characters')
    .optional()
    .describe('spark.app.name; default orrery-session'),
  pool: slug.optional().describe('the Spark pool executors run in (its price and nodes); default batch'),
  conf: conf.optional(),
  role: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe("the AWS role executors get keys for: one you hold; default the server's role"),
};

/** POST /spark/preview: what a session would get; the server is optional (the portal previews before a launch). */
export const PreviewSparkBody = z.strictObject({
  server: slug.optional().describe('one of your servers (its default role); optional'),
  ...request,
});

/** POST /spark/sessions. */
export const CreateSparkSessionBody = z.strictObject({
  server: slug.describe('your running server, whose notebook is the Spark driver'),
  ...request,
});

/** POST /servers/{name}/lab/spark/preview: as POST /spark/preview, the server named by the path. */
export const LabPreviewSparkBody = z.strictObject(request);

/** POST /servers/{name}/lab/spark/sessions: as POST /spark/sessions, the server named by the path. */
export const LabCreateSparkSessionBody = z.strictObject(request);

/** A session id in a path. */
export const SparkSessionIdParams = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9]{1,40}$/, 'must be a Spark session id: lowercase letters and digits')
    .describe('the session id'),
});

/** A server's name and a session id in a path. */
export const LabSparkSessionParams = ServerNameParams.extend(SparkSessionIdParams.shape);

const status = z.enum(['ACTIVE', 'STOPPED']);

/** GET /spark/sessions. */
export const ListSparkSessionsQuery = PageQuery.extend({
  server: slug.optional().describe("only this server's sessions (every launch of the name)"),
  owner: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe("admins: whose sessions (a user id, or * for everyone's); default yours"),
  status: status.optional().describe('only ACTIVE or only STOPPED sessions'),
});

/** GET /servers/{name}/lab/spark/sessions. */
export const LabListSparkSessionsQuery = PageQuery.extend({ status: status.optional() });

const cost = z
  .object({
    hourlyUsd: z.number().describe('US dollars an hour at the initial executors'),
    maxHourlyUsd: z.number().describe('US dollars an hour at the maximum executors'),
    dailyMaxUsd: z.number().describe('maxHourlyUsd × 24'),
    highCost: z.boolean().describe('dailyMaxUsd is over the daily threshold: a warning and a notice to the owner'),
  })
  .describe('estimated cost, rounded to cents');
const executor = z.object({ cores: z.number(), memoryGb: z.number() });

/** POST /spark/preview's answer: the derived conf and cost, nothing started. */
export const SparkPreviewSchema = z.object({
  appName: z.string(),
  pool: z.string(),
  image: z.string().describe('the image executors run'),
  conf: z.record(z.string(), z.string()).describe('the conf the sizing rules derive (placement adds its own)'),
  warnings: z.array(z.string()),
  blocked: z.array(z.string()).describe('options dropped'),
  executor,
  dynamicAllocation: z.boolean(),
  minExecutors: z.number(),
  maxExecutors: z.number(),
  initialExecutors: z.number(),
  cost,
});

/** A Spark session as the API shows it. */
export const SparkSessionSchema = z.object({
  id: z.string(),
  server: z.string().describe("the server's name (its notebook is the driver)"),
  owner: z.string(),
  team: z.string().describe('the team its cost counts against'),
  appName: z.string(),
  appId: z.string().describe('spark.app.id'),
  pool: z.string(),
  role: z.string().optional(),
  status,
  conf: z.record(z.string(), z.string()).describe('the whole conf to build the SparkSession from'),
  podTemplate: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('the executor pod template (EKS): write it to a file named by spark.kubernetes.executor.podTemplateFile'),
  warnings: z.array(z.string()),
  blocked: z.array(z.string()),
  links: z.object({
    ui: z.string().describe('the Spark UI'),
    history: z.string().describe('the history server; empty when not configured'),
    monitoring: z.string().describe('a monitoring dashboard; empty when not configured'),
  }),
  cost,
  executor,
  dynamicAllocation: z.boolean(),
  maxExecutors: z.number(),
  initialExecutors: z.number(),
  createdAt: z.string(),
  stoppedAt: z.string().optional(),
  stopReason: z.enum(['owner', 'server-ended', 'max-age']).optional(),
  costSoFarUsd: z.number().optional().describe('once stopped: at most maxHourlyUsd × the hours it was active'),
});
