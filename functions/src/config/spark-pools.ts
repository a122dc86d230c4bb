import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { SparkPool } from '../domain/spark-session.ts';
import { PYSPARK_IMAGE, TolerationEntry } from './profile-registry.ts';

// The Spark pool registry: where sessions' executors run and what a core-hour there costs. Read from
// ORRERY_SPARK_POOLS_FILE as YAML or JSON locally and JSON in the cloud (the parser is the mode's, as for the
// profile registry), so js-yaml stays out of the Lambdas. The first pool is the default of a request naming none.

const PoolEntry = z.object({
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, 'a name: lowercase letters, digits, inner dashes'),
  image: z.string().min(1),
  allowedImages: z.array(z.string().min(1)).default([]),
  nodeSelector: z.record(z.string(), z.string()).default({}),
  tolerations: z.array(TolerationEntry).default([]),
  pricePerCoreHour: z.number({ error: 'US dollars per executor core-hour, such as 0.041' }).min(0),
});

const Registry = z
  .array(PoolEntry)
  .min(1, 'name at least one Spark pool')
  .refine((ps) => new Set(ps.map((p) => p.name)).size === ps.length, 'Spark pool names must be unique');

/** The pools used unless configuration names some: `batch` on on-demand nodes (the default) and `spot`. */
export const DEFAULT_SPARK_POOLS: SparkPool[] = Registry.parse([
  {
    name: 'batch',
    image: PYSPARK_IMAGE,
    nodeSelector: { 'orrery.dev/pool': 'spark-batch' },
    pricePerCoreHour: 0.041,
  },
  {
    name: 'spot',
    image: PYSPARK_IMAGE,
    nodeSelector: { 'orrery.dev/pool': 'spark-spot' },
    tolerations: [{ key: 'orrery.dev/spot', operator: 'Exists', effect: 'NoSchedule' }],
    // Spot capacity is typically 60–70 % cheaper; executors lost to an interruption are replaced by Spark.
    pricePerCoreHour: 0.015,
  },
]);

/** Checks a pool registry already parsed from its text; a bad entry stops start-up with the source, where and what. */
export const checkSparkPools = (raw: unknown, source: string): SparkPool[] => {
  const parsed = Registry.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
  throw new Error(`configuration: ${source}: ${problems.join('; ')}`);
};

/** Parses JSON (what the Lambdas read), naming the file when it is not JSON. */
export const parseSparkPoolsJson = (text: string, source: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    throw new Error(`configuration: ${source} is not JSON (the cloud reads the Spark pools as JSON): ${why}`);
  }
};

/** The pools from ORRERY_SPARK_POOLS_FILE, parsed with `parse` (JSON in the cloud), or DEFAULT_SPARK_POOLS. */
export const readSparkPools = (
  file: string | undefined,
  parse: (text: string, source: string) => unknown,
): SparkPool[] => {
  if (!file) return DEFAULT_SPARK_POOLS;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`configuration: ORRERY_SPARK_POOLS_FILE ${file} cannot be read: ${(err as Error).message}`);
  }
  return checkSparkPools(parse(text, file), `ORRERY_SPARK_POOLS_FILE ${file}`);
};
