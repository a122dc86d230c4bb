import * as z from 'zod';
import { PageQuery } from './schemas.ts';

const slug = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, 'must be a slug: 1–32 lowercase letters, digits and inner dashes');
const quantity = z.union([z.string().max(32), z.number()]);

/** A server name in a path. */
export const ServerNameParams = z.strictObject({ name: slug });

/** Whose server: admins may name another owner; everyone else gets their own. */
export const OwnerQuery = z.strictObject({ owner: z.string().max(128).optional() });

/** POST /servers. */
export const LaunchServerBody = z.strictObject({
  name: slug,
  profile: z.string().max(64).optional(),
  overrides: z.strictObject({ image: z.string().max(512).optional(), cpu: quantity.optional(), memory: quantity.optional() }).optional(),
});

/** GET /servers/{name}/progress: events after this id (EventSource sends it as Last-Event-ID on reconnect). */
export const ProgressQuery = OwnerQuery.extend({ after: z.coerce.number().int().min(0).optional() });

/** POST /servers/{name}/activity: what the server's reporter read from Jupyter's `/api/status` and `/api/kernels`. */
export const ActivityBody = z.strictObject({
  lastActivity: z.iso.datetime({ offset: true }).nullable().optional(),
  kernels: z.array(z.strictObject({ executionState: z.string().max(32), lastActivity: z.iso.datetime({ offset: true }).nullable().optional(), connections: z.number().int().min(0).optional() })).max(500),
  jupyterReachable: z.boolean().default(true),
});

/** GET /admin/culls. */
export const CullsQuery = PageQuery;

const range = z.object({ request: z.string(), min: z.string(), limit: z.string() });

/** A profile as GET /profiles shows it. */
export const ProfileSchema = z.object({
  slug: z.string(), displayName: z.string(), description: z.string(), pool: z.enum(['cpu-on-demand', 'cpu-spot', 'gpu']), image: z.string(), allowedImages: z.array(z.string()),
  cpu: range, memory: range, gpus: z.number(), idleTimeoutSeconds: z.number(), maxAgeSeconds: z.number(), hourlyPrice: z.number(),
});

const Progress = z.object({ id: z.number(), at: z.string(), progress: z.number(), message: z.string(), ready: z.boolean().optional(), failed: z.boolean().optional() });

/** A server as the API shows it. */
export const ServerSchema = z.object({
  name: z.string(), owner: z.string(), profile: z.string(), status: z.enum(['PENDING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED']), url: z.string().nullable(), image: z.string(),
  resources: z.object({ cpuRequest: z.string(), cpuLimit: z.string(), memoryRequest: z.string(), memoryLimit: z.string(), gpus: z.number() }),
  hourlyPrice: z.number(), createdAt: z.string(), startedAt: z.string().nullable(), stoppedAt: z.string().nullable(), lastActivity: z.string(), idleTimeoutSeconds: z.number(), maxAgeSeconds: z.number(),
  reason: z.string().nullable(), stoppedBy: z.string().nullable(), cullWarning: z.object({ reason: z.string(), warnedAt: z.string(), stopsAt: z.string() }).nullable(), progress: Progress.nullable(),
});

/** One entry of the cull log. */
export const CullSchema = z.object({
  id: z.string(), at: z.string(), serverId: z.string(), owner: z.string(), name: z.string(), profile: z.string(), reason: z.enum(['idle', 'max-age', 'no-heartbeat']),
  lastActivity: z.string(), startedAt: z.string().optional(), hourlyPrice: z.number(), sparkApplications: z.array(z.string()),
});

/** GET /admin/usage: what is running now, by pool, and what runs did in the last day (admins). */
export const UsageSchema = z.object({
  generatedAt: z.string(),
  hourlyCost: z.number(),
  pools: z.array(z.object({ pool: z.string(), activeServers: z.number(), hourlyCost: z.number() })),
  activeServers: z.array(ServerSchema),
  runs: z.object({ since: z.string(), byStatus: z.record(z.string(), z.number()) }),
});
