import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { SparkPool, SparkRules } from '../domain/spark-session.ts';
import { DEFAULT_SPARK_RULES } from '../domain/spark-sizing.ts';
import { PYSPARK_IMAGE, TolerationEntry } from './profile-registry.ts';

// The Spark pool registry: where sessions' executors run and what a core-hour there costs, and optionally the
// sizing rules' numbers. Read from ORRERY_SPARK_POOLS_FILE as YAML or JSON locally and JSON in the cloud (the parser
// is the mode's, as for the profile registry), so js-yaml stays out of the Lambdas. The file is either the bare list
// of pools or `{pools: [...], rules: {...}}`, whose rules (any of them) replace DEFAULT_SPARK_RULES' numbers. The
// first pool is the default of a request naming none, unless rules.defaultPool names another.

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

const whole = (min: number, what: string) => {
  const message = `${what}: a whole number of at least ${min}`;
  return z.number({ error: message }).int(message).min(min, message);
};

// An executor shape in the file: either number alone replaces the default's (`maximum: {cores: 16}`).
const ShapeEntry = z
  .strictObject({ cores: whole(1, 'executor cores'), memoryGb: whole(1, 'executor memory in GB') })
  .partial();

// Every number of the rules, each optional; a key the rules do not know is refused, so a typo is not ignored.
const RulesEntry = z
  .strictObject({
    memoryPerCoreGb: whole(1, 'GB of executor memory per core'),
    recommended: ShapeEntry,
    medium: ShapeEntry,
    maximum: ShapeEntry,
    defaults: ShapeEntry.extend({ instances: whole(1, 'executors').optional() }),
    maxExecutors: whole(1, 'executors'),
    executorAllocationRatio: z
      .number({ error: 'a ratio in (0, 1], such as 0.8' })
      .gt(0, 'a ratio in (0, 1], such as 0.8')
      .max(1, 'a ratio in (0, 1], such as 0.8'),
    cachedExecutorIdleTimeoutSeconds: whole(1, 'seconds'),
    interactiveExtraIdleSeconds: whole(0, 'seconds'),
    parallelismPerCore: whole(1, 'tasks per executor core'),
    fallbackParallelism: whole(1, 'partitions'),
    dailyCostThresholdUsd: z.number({ error: 'US dollars a day, such as 500' }).min(0, 'US dollars a day, such as 500'),
    maxAgeSeconds: whole(60, 'seconds'),
    defaultPool: z.string().min(1, "a pool's name"),
  })
  .partial();

const RegistryFile = z.strictObject(
  { pools: Registry, rules: RulesEntry.default({}) },
  { error: (i) => (i.code === 'invalid_type' ? 'the list of pools, or {pools: [...], rules: {...}}' : undefined) },
);

/** A Spark pools file once read: the pools, and the rules with the file's numbers over the defaults. */
export interface SparkPoolsFile {
  pools: SparkPool[];
  /** DEFAULT_SPARK_RULES with the file's rules over them; defaultPool is the file's or the first pool. */
  rules: SparkRules;
}

type RulesOverride = z.output<typeof RulesEntry>;

const mergeRules = (o: RulesOverride, pools: readonly SparkPool[]): SparkRules => {
  const d = DEFAULT_SPARK_RULES;
  return {
    ...d,
    ...o,
    recommended: { ...d.recommended, ...o.recommended },
    medium: { ...d.medium, ...o.medium },
    maximum: { ...d.maximum, ...o.maximum },
    defaults: { ...d.defaults, ...o.defaults },
    defaultPool: o.defaultPool ?? pools[0]!.name,
  };
};

// What the numbers must be together, once merged: shapes ordered recommended ≤ medium ≤ maximum, the default
// executor within the maximum (else every session would start with a capping warning), a default pool that exists.
const ruleProblems = (rules: SparkRules, pools: readonly SparkPool[]): string[] => {
  const problems: string[] = [];
  const order = ['recommended', 'medium', 'maximum'] as const;
  for (const dim of ['cores', 'memoryGb'] as const) {
    for (const [i, upper] of order.entries()) {
      const lower = order[i - 1];
      if (lower && rules[upper][dim] < rules[lower][dim])
        problems.push(
          `rules.${upper}.${dim}: ${rules[upper][dim]} is less than rules.${lower}.${dim} (${rules[lower][dim]}); ` +
            'the shapes go recommended ≤ medium ≤ maximum',
        );
    }
    if (rules.defaults[dim] > rules.maximum[dim])
      problems.push(
        `rules.defaults.${dim}: ${rules.defaults[dim]} is more than rules.maximum.${dim} (${rules.maximum[dim]})`,
      );
  }
  if (rules.defaults.instances > rules.maxExecutors)
    problems.push(
      `rules.defaults.instances: ${rules.defaults.instances} is more than rules.maxExecutors (${rules.maxExecutors})`,
    );
  if (!pools.some((p) => p.name === rules.defaultPool))
    problems.push(
      `rules.defaultPool: '${rules.defaultPool}' is not a pool; valid: ${pools.map((p) => p.name).join(', ')}`,
    );
  return problems;
};

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

/** The pools and rules without a file. */
export const DEFAULT_SPARK_POOLS_FILE: SparkPoolsFile = { pools: DEFAULT_SPARK_POOLS, rules: DEFAULT_SPARK_RULES };

const fail = (source: string, problems: readonly string[]): never => {
  throw new Error(`configuration: ${source}: ${problems.join('; ')}`);
};

/**
 * Checks a pools file already parsed from its text, the bare list of pools or `{pools, rules}`; a bad entry stops
 * start-up with the source, where (`0.name`, `rules.maximum.cores`) and what.
 */
export const checkSparkPools = (raw: unknown, source: string): SparkPoolsFile => {
  const parsed = Array.isArray(raw)
    ? Registry.transform((pools) => ({ pools, rules: {} })).safeParse(raw)
    : RegistryFile.safeParse(raw);
  if (!parsed.success)
    return fail(
      source,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`),
    );
  const { pools, rules: override } = parsed.data;
  const rules = mergeRules(override, pools);
  const problems = ruleProblems(rules, pools);
  return problems.length ? fail(source, problems) : { pools, rules };
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

/** The pools and rules from ORRERY_SPARK_POOLS_FILE, parsed with `parse` (JSON in the cloud), or the defaults. */
export const readSparkPools = (
  file: string | undefined,
  parse: (text: string, source: string) => unknown,
): SparkPoolsFile => {
  if (!file) return DEFAULT_SPARK_POOLS_FILE;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`configuration: ORRERY_SPARK_POOLS_FILE ${file} cannot be read: ${(err as Error).message}`);
  }
  return checkSparkPools(parse(text, file), `ORRERY_SPARK_POOLS_FILE ${file}`);
};
