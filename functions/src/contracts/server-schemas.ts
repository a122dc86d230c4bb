import * as z from 'zod';
import { PageQuery } from './schemas.ts';

const slug = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, 'must be a slug: 1–32 lowercase letters, digits and inner dashes');
const quantity = z.union([z.string().max(32), z.number()]);

/** A server name in a path. */
export const ServerNameParams = z.strictObject({ name: slug.describe("the server's name") });

/** Whose server: admins may name another owner; everyone else gets their own. */
export const OwnerQuery = z.strictObject({
  owner: z.string().max(128).optional().describe('admins: whose server (a user id); default yours'),
});

/** DELETE /servers/{name}: `remove=true` deletes a stopped server for good (JupyterHub's `remove`). */
export const StopServerQuery = OwnerQuery.extend({
  remove: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe(
      'true: delete the server, which must be STOPPED or FAILED (409 otherwise): its home (the volume, or the ' +
        'local folder) and all its files, then its record, so the name is free; false or absent: stop it',
    ),
});

/** POST /servers. */
export const LaunchServerBody = z.strictObject({
  name: slug.describe('a name of your choice, unique among your active servers'),
  profile: z.string().max(64).optional().describe('the profile (GET /profiles); default the first open to you'),
  overrides: z
    .strictObject({
      image: z.string().max(512).optional().describe("the profile's image or one of its allowedImages"),
      cpu: quantity.optional().describe("CPU such as 2 or 500m, within the profile's range"),
      memory: quantity.optional().describe("memory such as 4Gi or 512Mi, within the profile's range"),
    })
    .optional()
    .describe("changes to the profile's image and resources, within what it allows"),
  role: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe(
      'an AWS role you hold (GET /credentials/roles): the server gets keys for it that refresh themselves; ' +
        'none: PUT /servers/{name}/role sets one later',
    ),
});

/** PUT /servers/{name}/role. */
export const SetServerRoleBody = z.strictObject({
  role: z
    .string()
    .min(1)
    .max(64)
    .nullable()
    .describe("an AWS role you hold, or null for none; the server's sidecar switches on its next refresh"),
});

/** GET /servers/{name}/progress: events after this id (EventSource sends it as Last-Event-ID on reconnect). */
export const ProgressQuery = OwnerQuery.extend({
  after: z.coerce.number().int().min(0).optional().describe('only events after this id (a Last-Event-ID header wins)'),
});

/** POST /servers/{name}/activity: what the server's reporter read from Jupyter's `/api/status` and `/api/kernels`. */
export const ActivityBody = z.strictObject({
  lastActivity: z.iso
    .datetime({ offset: true })
    .nullable()
    .optional()
    .describe("Jupyter's last_activity (/api/status)"),
  kernels: z
    .array(
      z.strictObject({
        executionState: z.string().max(32).describe('idle, busy, starting…'),
        lastActivity: z.iso.datetime({ offset: true }).nullable().optional(),
        connections: z.number().int().min(0).optional(),
      }),
    )
    .max(500)
    .describe('the kernels /api/kernels lists'),
  jupyterReachable: z
    .boolean()
    .default(true)
    .describe('false when Jupyter stopped answering: a running server ends FAILED'),
});

/** GET /admin/culls. */
export const CullsQuery = PageQuery;

const range = z.object({ request: z.string(), min: z.string(), limit: z.string() });

/** A profile as GET /profiles shows it. */
export const ProfileSchema = z.object({
  slug: z.string(),
  displayName: z.string(),
  description: z.string(),
  pool: z.enum(['cpu-on-demand', 'cpu-spot', 'gpu']).describe('the node pool its servers and runs are scheduled on'),
  image: z.string().describe('the default image'),
  allowedImages: z.array(z.string()).describe('other images a launch may pick'),
  cpu: range.describe('the request, and the range an override may pick from'),
  memory: range.describe('the request, and the range an override may pick from'),
  gpus: z.number(),
  idleTimeoutSeconds: z.number().describe('the culler stops a server idle this long'),
  maxAgeSeconds: z.number().describe('the culler stops a server this old, busy or not'),
  hourlyPrice: z.number().describe('US dollars per hour while a server of this profile runs'),
  spark: z.boolean().describe('its servers may start Spark sessions (the launch form offers a Spark preview)'),
});

const Progress = z.object({
  id: z.number(),
  at: z.string(),
  progress: z.number(),
  message: z.string(),
  ready: z.boolean().optional(),
  failed: z.boolean().optional(),
});

/** A server as the API shows it. */
export const ServerSchema = z.object({
  name: z.string(),
  owner: z.string(),
  profile: z.string(),
  status: z.enum(['PENDING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED']),
  url: z.string().nullable().describe('where Jupyter answers once it runs; open `<url>lab?token=<token>`'),
  image: z.string(),
  role: z
    .string()
    .nullable()
    .describe('the AWS role its notebooks get keys for (PUT /servers/{name}/role switches it)'),
  resources: z.object({
    cpuRequest: z.string(),
    cpuLimit: z.string(),
    memoryRequest: z.string(),
    memoryLimit: z.string(),
    gpus: z.number(),
  }),
  hourlyPrice: z.number().describe('US dollars per hour while it runs'),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
  lastActivity: z.string().describe('the last activity its reporter or a keepalive recorded'),
  idleTimeoutSeconds: z.number(),
  maxAgeSeconds: z.number(),
  reason: z.string().nullable().describe('why it stopped or failed'),
  stoppedBy: z.string().nullable().describe('`owner`, `admin <id>`, `culler` or `platform`'),
  cullWarning: z
    .object({ reason: z.string(), warnedAt: z.string(), stopsAt: z.string() })
    .nullable()
    .describe('the culler stops it at stopsAt unless the reason goes away (an idle warning: use it or keep it alive)'),
  progress: Progress.nullable().describe('the latest launch progress event'),
});

/** One entry of the cull log. */
export const CullSchema = z.object({
  id: z.string(),
  at: z.string(),
  serverId: z.string(),
  owner: z.string(),
  name: z.string(),
  profile: z.string(),
  reason: z
    .enum(['idle', 'max-age', 'no-heartbeat', 'spark-max-age'])
    .describe('spark-max-age: a Spark session past its maximum age was stopped; its server was kept'),
  lastActivity: z.string(),
  startedAt: z.string().optional(),
  hourlyPrice: z.number().describe("US dollars an hour: the server's, or the Spark session's maximum"),
  sparkApplications: z.array(z.string()),
  sparkSessions: z
    .array(z.object({ id: z.string(), appName: z.string(), costSoFarUsd: z.number() }))
    .optional()
    .describe('the Spark sessions stopped with it, each with its cost so far (at most), in US dollars'),
});

/** GET /admin/usage: what is running now, by pool, and what runs did in the last day (admins). */
export const UsageSchema = z.object({
  generatedAt: z.string(),
  hourlyCost: z.number().describe('US dollars per hour of every active server'),
  pools: z.array(z.object({ pool: z.string(), activeServers: z.number(), hourlyCost: z.number() })),
  activeServers: z.array(ServerSchema),
  runs: z.object({ since: z.string(), byStatus: z.record(z.string(), z.number()) }),
  spark: z
    .object({
      since: z.string(),
      active: z.number().describe('Spark sessions active now'),
      byTeam: z.array(
        z.object({
          team: z.string(),
          sessions: z.number().describe('sessions started since `since`, plus older ones still active'),
          active: z.number(),
          costSoFarUsd: z
            .number()
            .describe("at most, in US dollars: stopped sessions' recorded cost, active ones' up to now"),
          activeMaxHourlyUsd: z.number().describe("the active sessions' maximum hourly cost together"),
        }),
      ),
    })
    .describe('Spark cost by team: the last day of sessions and every active one'),
});

/** One server home on GET /admin/volumes: whose, how big, what it costs a month, when its server was last used. */
export const UnusedVolumeSchema = z.object({
  serverId: z.string(),
  owner: z.string().nullable().describe('null: no server record names this volume (an orphan)'),
  name: z.string().nullable(),
  status: z.string().nullable().describe("the server's status; null without a record"),
  storageClass: z.string(),
  location: z.string().describe('the PersistentVolumeClaim, or the local folder'),
  sizeBytes: z.number(),
  size: z.string().describe('the size for people: `10 GiB`'),
  monthlyCost: z.number().describe('US dollars a month at the configured price per GiB-month'),
  lastUsed: z.string().nullable().describe("the server's last activity (or stop); null without a record"),
  unusedDays: z.number().nullable().describe('whole days since lastUsed'),
});

/** GET /admin/volumes. */
export const UnusedVolumesSchema = z.object({
  generatedAt: z.string(),
  unusedDays: z.number().describe('the threshold: volumes of servers unused at least this long are listed'),
  pricePerGiBMonth: z.number(),
  monthlyCost: z.number().describe('the listed volumes together, US dollars a month'),
  items: z.array(UnusedVolumeSchema),
});
