import { ValidationError } from './errors.ts';
import type { ExecutorShape, SparkRules } from './spark-session.ts';

// The executor's shape from the user's spark.executor.cores and spark.executor.memory, and the executors they ask
// for from spark.executor.instances. A value that does not parse is a 400 that says what to write, rather than a
// guess: Spark itself would read a bare `28` as 28 MiB.

/** The executor shape and the instances a request asks for, with a warning per value changed. */
export interface ShapeRequest {
  executor: ExecutorShape;
  instances: number;
  warnings: string[];
}

const CORES = 'spark.executor.cores';
const MEMORY = 'spark.executor.memory';
const INSTANCES = 'spark.executor.instances';

const invalid = (key: string, value: string, what: string): ValidationError =>
  new ValidationError(`${key} '${value}' is not ${what}`, [{ path: `body.conf.${key}`, message: what }]);

const wholeNumber = (key: string, value: string, min: number, example: string): number => {
  const text = value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw invalid(key, value, `a whole number of at least ${min} (e.g. ${example})`);
  return n;
};

// The rules' GB are GiB as Spark writes it (1g = 1024m): `28000m` is 27.3g, rounded up.
const UNIT_GB: Readonly<Record<string, number>> = { m: 1 / 1024, mb: 1 / 1024, g: 1, gb: 1, t: 1024, tb: 1024 };

/**
 * Reads spark.executor.memory as whole GB: a whole number with a unit `m`, `g` or `t` (also `mb`, `gb`, `tb`, any
 * case), as Spark writes it. Megabytes round up to a whole GB, since Spark takes `<n>g` only as a whole number.
 */
export const parseExecutorMemoryGb = (value: string): number => {
  const match = /^(\d+)\s*([a-z]+)$/i.exec(value.trim());
  const perUnit = match ? UNIT_GB[match[2]!.toLowerCase()] : undefined;
  const gb = match && perUnit !== undefined ? Math.ceil(Number(match[1]) * perUnit) : 0;
  if (!Number.isSafeInteger(gb) || gb < 1)
    throw invalid(MEMORY, value, 'a memory size such as 28g (whole GB, or m for MB: 28672m)');
  return gb;
};

const capped = (key: string, asked: number, max: number, unit: string, rules: SparkRules): string => {
  const { maximum: m, recommended: r } = rules;
  return (
    `${key} ${asked}${unit} is past the maximum executor (${m.cores} cores, ${m.memoryGb}g), so it was set to ` +
    `${max}${unit}; ${r.cores} cores with ${r.memoryGb}g is the recommended shape (more executors, not bigger ones)`
  );
};

// Only cores given → memory follows the memory-per-core target; only memory → as many cores as it feeds. The shape
// is derived first and then capped, so asking for 16 cores gives the maximum shape, not 12 cores with 84g.
const derived = (conf: Readonly<Record<string, string>>, rules: SparkRules): ExecutorShape => {
  const cores = conf[CORES] === undefined ? undefined : wholeNumber(CORES, conf[CORES], 1, '4');
  const memoryGb = conf[MEMORY] === undefined ? undefined : parseExecutorMemoryGb(conf[MEMORY]);
  if (cores !== undefined && memoryGb !== undefined) return { cores, memoryGb };
  if (cores !== undefined) return { cores, memoryGb: cores * rules.memoryPerCoreGb };
  if (memoryGb !== undefined) return { cores: Math.max(1, Math.floor(memoryGb / rules.memoryPerCoreGb)), memoryGb };
  return { cores: rules.defaults.cores, memoryGb: rules.defaults.memoryGb };
};

/**
 * The executor shape and instances from the user's conf and the rules; a shape past the maximum executor, or
 * instances past the maximum executors, is capped with a warning.
 */
export const executorShapeOf = (conf: Readonly<Record<string, string>>, rules: SparkRules): ShapeRequest => {
  const asked = derived(conf, rules);
  const { maximum } = rules;
  const warnings: string[] = [];
  if (asked.cores > maximum.cores) warnings.push(capped(CORES, asked.cores, maximum.cores, '', rules));
  if (asked.memoryGb > maximum.memoryGb) warnings.push(capped(MEMORY, asked.memoryGb, maximum.memoryGb, 'g', rules));
  const executor = {
    cores: Math.min(asked.cores, maximum.cores),
    memoryGb: Math.min(asked.memoryGb, maximum.memoryGb),
  };
  const text = conf[INSTANCES];
  const instances = text === undefined ? rules.defaults.instances : wholeNumber(INSTANCES, text, 0, '2');
  if (instances > rules.maxExecutors)
    warnings.push(
      `${INSTANCES} ${instances} is past the maximum of ${rules.maxExecutors} executors, so it was set to ` +
        `${rules.maxExecutors}; ask an admin if a job needs more`,
    );
  return { executor, instances: Math.min(instances, rules.maxExecutors), warnings };
};
