import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { DEFAULT_HOME_VOLUME, type Profile } from '../domain/profile.ts';
import { parseCpu, parseMemory } from '../domain/quantity.ts';

// The profile registry's schema and the JSON reader the Lambdas use; local mode also reads YAML
// (profiles-config.ts), which keeps js-yaml out of every Lambda: the deploy compiles the registry to JSON.

const quantity = (parse: (v: string | number) => number | null, what: string) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const parsed = parse(v);
    if (parsed !== null) return parsed;
    ctx.addIssue({ code: 'custom', message: `'${v}' is not ${what}` });
    return z.NEVER;
  });
const cpu = quantity(parseCpu, 'a CPU quantity (2, 0.5, 500m)');
const memory = quantity(parseMemory, 'a memory quantity (4Gi, 512Mi)');
const range = (q: typeof cpu) =>
  z
    .object({ request: q, min: q.optional(), limit: q.optional() })
    .transform((r) => ({ request: r.request, min: r.min ?? r.request, limit: r.limit ?? r.request }))
    .refine((r) => r.min <= r.request && r.request <= r.limit, 'needs min ≤ request ≤ limit');

/** A taint toleration as the registries (profiles, Spark pools) write it. */
export const TolerationEntry = z.object({
  key: z.string(),
  operator: z.enum(['Equal', 'Exists']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
});

const ProfileEntry = z.object({
  slug: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/, 'a slug: lowercase letters, digits, inner dashes'),
  displayName: z.string().min(1),
  description: z.string().default(''),
  pool: z.object({
    kind: z.enum(['cpu-on-demand', 'cpu-spot', 'gpu']),
    nodeSelector: z.record(z.string(), z.string()).default({}),
    tolerations: z.array(TolerationEntry).default([]),
  }),
  image: z.string().min(1),
  allowedImages: z.array(z.string().min(1)).default([]),
  cpu: range(cpu),
  memory: range(memory),
  gpus: z.number().int().min(0).default(0),
  idleTimeoutSeconds: z.number().int().min(60),
  maxAgeSeconds: z.number().int().min(60),
  hourlyPrice: z.number().min(0),
  teams: z.array(z.string().min(1)).min(1, "name the teams that may use it, or ['*'] for everyone"),
  // Absent: DEFAULT_HOME_VOLUME (domain/profile.ts); a relaunch keeps the volume its first launch made.
  home: z
    .object({
      storageClass: z
        .string()
        .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, 'a StorageClass name')
        .default(DEFAULT_HOME_VOLUME.storageClass),
      size: memory.default(DEFAULT_HOME_VOLUME.size),
    })
    .optional(),
  // Its servers may start Spark on EKS (their pods get the driver's service account); the portal offers a preview.
  spark: z.boolean().default(false),
});

const Registry = z
  .array(ProfileEntry)
  .min(1, 'name at least one profile')
  .refine((ps) => new Set(ps.map((p) => p.slug)).size === ps.length, 'profile slugs must be unique');

const SERVER_IMAGE = 'quay.io/jupyter/scipy-notebook:2025-06-30';
/** The image of Spark servers and their executors: executors must run the driver's Spark version. */
export const PYSPARK_IMAGE = 'quay.io/jupyter/pyspark-notebook:2025-06-30';
const NO_SCHEDULE = { operator: 'Exists', effect: 'NoSchedule' } as const;

/**
 * The registry used unless configuration names one: a CPU profile on demand, a larger one on spot, one GPU, and a
 * PySpark one on demand whose servers may start Spark sessions.
 */
export const DEFAULT_PROFILES: Profile[] = Registry.parse([
  {
    slug: 'cpu-small',
    displayName: 'Small CPU',
    description: '1 CPU, 2 GiB (up to 2 CPU, 4 GiB) on on-demand nodes',
    pool: { kind: 'cpu-on-demand', nodeSelector: { 'orrery.dev/pool': 'cpu-on-demand' } },
    image: SERVER_IMAGE,
    allowedImages: [PYSPARK_IMAGE],
    cpu: { request: '1', min: '500m', limit: '2' },
    memory: { request: '2Gi', min: '1Gi', limit: '4Gi' },
    idleTimeoutSeconds: 3600,
    maxAgeSeconds: 43_200,
    hourlyPrice: 0.05,
    teams: ['*'],
  },
  {
    slug: 'cpu-large-spot',
    displayName: 'Large CPU (spot)',
    description: '4 CPU, 16 GiB on spot nodes: cheap, may be interrupted',
    pool: {
      kind: 'cpu-spot',
      nodeSelector: { 'orrery.dev/pool': 'cpu-spot' },
      tolerations: [{ key: 'orrery.dev/spot', ...NO_SCHEDULE }],
    },
    image: SERVER_IMAGE,
    cpu: { request: '4', min: '2', limit: '8' },
    memory: { request: '16Gi', min: '8Gi', limit: '32Gi' },
    idleTimeoutSeconds: 1800,
    maxAgeSeconds: 28_800,
    hourlyPrice: 0.07,
    teams: ['*'],
  },
  {
    slug: 'gpu-t4',
    displayName: 'GPU (T4)',
    description: '1 NVIDIA T4, 4 CPU, 16 GiB',
    pool: {
      kind: 'gpu',
      nodeSelector: { 'orrery.dev/pool': 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', ...NO_SCHEDULE }],
    },
    image: 'quay.io/jupyter/pytorch-notebook:cuda12-2025-06-30',
    cpu: { request: '4', limit: '4' },
    memory: { request: '16Gi', limit: '16Gi' },
    gpus: 1,
    idleTimeoutSeconds: 1800,
    maxAgeSeconds: 28_800,
    hourlyPrice: 0.53,
    teams: ['*'],
  },
  {
    slug: 'pyspark',
    displayName: 'PySpark',
    description: '2 CPU, 8 GiB (up to 4 CPU, 16 GiB) on on-demand nodes; starts Spark sessions on the cluster',
    pool: { kind: 'cpu-on-demand', nodeSelector: { 'orrery.dev/pool': 'cpu-on-demand' } },
    image: PYSPARK_IMAGE,
    cpu: { request: '2', min: '1', limit: '4' },
    memory: { request: '8Gi', min: '4Gi', limit: '16Gi' },
    idleTimeoutSeconds: 3600,
    maxAgeSeconds: 43_200,
    hourlyPrice: 0.1,
    teams: ['*'],
    spark: true,
  },
]);

/** Checks a registry already parsed from its text; a bad entry stops start-up with where and what. */
export const checkProfiles = (raw: unknown, source: string): Profile[] => {
  const parsed = Registry.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
  throw new Error(`configuration: ${source}: ${problems.join('; ')}`);
};

/** Parses a registry written as JSON (what the Lambdas read); anything else stops start-up naming the source. */
export const parseProfilesJson = (text: string, source: string): Profile[] => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    throw new Error(`configuration: ${source} is not JSON (the cloud reads the profile registry as JSON): ${why}`);
  }
  return checkProfiles(raw, source);
};

/** The registry from a file, from inline text (ORRERY_PROFILES), or the default, each parsed with `parse`. */
export const readProfileRegistry = (
  file: string | undefined,
  inline: string | undefined,
  parse: (text: string, source: string) => Profile[],
): Profile[] => {
  if (file) return parse(readFileSync(file, 'utf8'), file);
  if (inline) return parse(inline, 'ORRERY_PROFILES');
  return DEFAULT_PROFILES;
};

/** The registry as the Lambdas read it: JSON only. */
export const loadProfilesJson = (file: string | undefined, inline: string | undefined): Profile[] =>
  readProfileRegistry(file, inline, parseProfilesJson);
