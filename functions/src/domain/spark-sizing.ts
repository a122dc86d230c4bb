import { ValidationError } from './errors.ts';
import { roundCents } from './money.ts';
import { screenSparkOptions } from './spark-blocked-options.ts';
import { executorShapeOf } from './spark-executor-shape.ts';
import type { ExecutorShape, SparkCost, SparkPool, SparkRequest, SparkRules, SparkSizing } from './spark-session.ts';

// The sizing rules of a Spark session (issue 15): from what the user asked and the pool, the conf Spark is given
// before placement, what was refused and what it may cost. Pure: the same request gives the same answer.

/** The rules' numbers unless configuration changes them (the issue's defaults). */
export const DEFAULT_SPARK_RULES: SparkRules = {
  memoryPerCoreGb: 7,
  recommended: { cores: 4, memoryGb: 28 },
  medium: { cores: 8, memoryGb: 56 },
  maximum: { cores: 12, memoryGb: 110 },
  defaults: { cores: 4, memoryGb: 28, instances: 2 },
  maxExecutors: 50,
  executorAllocationRatio: 0.8,
  cachedExecutorIdleTimeoutSeconds: 1500,
  interactiveExtraIdleSeconds: 900,
  parallelismPerCore: 3,
  fallbackParallelism: 128,
  dailyCostThresholdUsd: 500,
  defaultPool: 'batch',
  maxAgeSeconds: 43_200,
};

/** The app name of a session that names none. */
export const DEFAULT_SPARK_APP_NAME = 'orrery-session';

interface Executors {
  dynamicAllocation: boolean;
  minExecutors: number;
  maxExecutors: number;
  initialExecutors: number;
}

const poolOf = (pools: readonly SparkPool[], name: string): SparkPool => {
  const pool = pools.find((p) => p.name === name);
  if (pool) return pool;
  const known = pools.map((p) => p.name).join(', ') || 'none';
  throw new ValidationError(`unknown Spark pool '${name}'; valid: ${known}`, [
    { path: 'body.pool', message: 'unknown pool' },
  ]);
};

// Dynamic allocation is on unless the user turned it off: then the requested instances run from start to end.
const executorsOf = (conf: Readonly<Record<string, string>>, instances: number): Executors => {
  const off = conf['spark.dynamicAllocation.enabled']?.trim().toLowerCase() === 'false';
  if (off)
    return { dynamicAllocation: false, minExecutors: instances, maxExecutors: instances, initialExecutors: instances };
  return { dynamicAllocation: true, minExecutors: 0, maxExecutors: instances, initialExecutors: 0 };
};

const dynamicConf = (x: Executors, interactive: boolean, rules: SparkRules): Record<string, string> => {
  if (!x.dynamicAllocation) return { 'spark.executor.instances': String(x.maxExecutors) };
  const idle = rules.cachedExecutorIdleTimeoutSeconds + (interactive ? rules.interactiveExtraIdleSeconds : 0);
  return {
    'spark.dynamicAllocation.enabled': 'true',
    'spark.dynamicAllocation.shuffleTracking.enabled': 'true',
    'spark.dynamicAllocation.executorAllocationRatio': String(rules.executorAllocationRatio),
    'spark.dynamicAllocation.minExecutors': String(x.minExecutors),
    'spark.dynamicAllocation.maxExecutors': String(x.maxExecutors),
    'spark.dynamicAllocation.initialExecutors': String(x.initialExecutors),
    'spark.dynamicAllocation.cachedExecutorIdleTimeout': `${idle}s`,
    'spark.executor.instances': String(x.initialExecutors),
  };
};

const sizedConf = (executor: ExecutorShape, x: Executors, interactive: boolean, rules: SparkRules) => {
  const parallelism = rules.parallelismPerCore * x.maxExecutors * executor.cores || rules.fallbackParallelism;
  return {
    'spark.executor.cores': String(executor.cores),
    'spark.executor.memory': `${executor.memoryGb}g`,
    'spark.kubernetes.executor.limit.cores': String(executor.cores),
    ...dynamicConf(x, interactive, rules),
    'spark.sql.shuffle.partitions': String(parallelism),
    'spark.default.parallelism': String(parallelism),
  };
};

/**
 * What a session may cost, in US dollars rounded to cents: at the initial executors (the fixed instances without
 * dynamic allocation) and at the maximum. High cost is judged on the unrounded daily maximum, strictly above.
 */
export const sparkCost = (
  executor: ExecutorShape,
  x: Pick<SparkSizing, 'maxExecutors' | 'initialExecutors'>,
  pool: SparkPool,
  rules: Pick<SparkRules, 'dailyCostThresholdUsd'>,
): SparkCost => {
  const perExecutor = executor.cores * pool.pricePerCoreHour;
  const daily = perExecutor * x.maxExecutors * 24;
  return {
    hourlyUsd: roundCents(perExecutor * x.initialExecutors),
    maxHourlyUsd: roundCents(perExecutor * x.maxExecutors),
    dailyMaxUsd: roundCents(daily),
    highCost: daily > rules.dailyCostThresholdUsd,
  };
};

// What to do instead of setting a value the rules derive: the input it comes from, if users have one.
const INSTEAD: Readonly<Record<string, string>> = {
  'spark.dynamicAllocation.maxExecutors': 'set spark.executor.instances instead',
  'spark.kubernetes.executor.limit.cores': 'set spark.executor.cores instead',
};

// A user value the rules replace (other than the inputs they were derived from) is named, so nothing changes silently.
const replaced = (user: Readonly<Record<string, string>>, sized: Readonly<Record<string, string>>): string[] => {
  const inputs = ['spark.executor.cores', 'spark.executor.memory', 'spark.executor.instances', 'spark.app.name'];
  return Object.entries(sized)
    .filter(([key, value]) => !inputs.includes(key) && user[key] !== undefined && user[key] !== value)
    .map(
      ([key, value]) =>
        `${key}=${user[key]} was replaced by ${value}: the sizing rules set it; ` +
        (INSTEAD[key] ?? 'it cannot be set in a session'),
    );
};

/**
 * Sizes a Spark session. Steps: find the pool (the rules' default when none is named; unknown → 400 listing the
 * known ones); drop blocked options; derive and cap the executor shape; dynamic allocation unless turned off;
 * parallelism; cost, with a warning when it is high. The user's other options pass through unchanged.
 */
export const sizeSpark = (request: SparkRequest, pools: readonly SparkPool[], rules: SparkRules): SparkSizing => {
  const pool = poolOf(pools, request.pool ?? rules.defaultPool);
  const screened = screenSparkOptions(request.conf, pool);
  const shape = executorShapeOf(screened.passed, rules);
  const executors = executorsOf(screened.passed, shape.instances);
  const appName = request.appName || screened.passed['spark.app.name'] || DEFAULT_SPARK_APP_NAME;
  const sized = { ...sizedConf(shape.executor, executors, request.interactive, rules), 'spark.app.name': appName };
  const cost = sparkCost(shape.executor, executors, pool, rules);
  const high = cost.highCost
    ? [`this session may cost up to $${cost.dailyMaxUsd.toFixed(2)} a day (over $${rules.dailyCostThresholdUsd})`]
    : [];
  return {
    pool,
    appName,
    executor: shape.executor,
    ...executors,
    image: screened.image,
    conf: { ...screened.passed, ...sized },
    blocked: screened.blocked,
    warnings: [...screened.warnings, ...shape.warnings, ...replaced(screened.passed, sized), ...high],
    cost,
  };
};
