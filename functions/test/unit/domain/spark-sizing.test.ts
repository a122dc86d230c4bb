import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import { parseExecutorMemoryGb } from '../../../src/domain/spark-executor-shape.ts';
import type { SparkPool, SparkRequest, SparkRules } from '../../../src/domain/spark-session.ts';
import { DEFAULT_SPARK_RULES, sizeSpark, sparkCost } from '../../../src/domain/spark-sizing.ts';

const IMAGE = 'quay.io/jupyter/pyspark-notebook:2025-06-30';
const TEAM_IMAGE = 'registry.example.com/spark:3.5-team';
const BATCH: SparkPool = {
  name: 'batch',
  image: IMAGE,
  allowedImages: [TEAM_IMAGE],
  nodeSelector: { 'orrery.dev/pool': 'spark-batch' },
  tolerations: [],
  pricePerCoreHour: 0.041,
};
const SPOT: SparkPool = {
  ...BATCH,
  name: 'spot',
  allowedImages: [],
  nodeSelector: { 'orrery.dev/pool': 'spark-spot' },
  tolerations: [{ key: 'orrery.dev/spot', operator: 'Exists', effect: 'NoSchedule' }],
  pricePerCoreHour: 0.015,
};
const POOLS = [BATCH, SPOT];

// The conf of a session with dynamic allocation: every key the rules set, for a shape, max executors and idle time.
const dynamic = (cores: number, memoryGb: number, max: number, idle: string, parallelism = 3 * max * cores) => ({
  'spark.executor.cores': String(cores),
  'spark.executor.memory': `${memoryGb}g`,
  'spark.kubernetes.executor.limit.cores': String(cores),
  'spark.dynamicAllocation.enabled': 'true',
  'spark.dynamicAllocation.shuffleTracking.enabled': 'true',
  'spark.dynamicAllocation.executorAllocationRatio': '0.8',
  'spark.dynamicAllocation.minExecutors': '0',
  'spark.dynamicAllocation.maxExecutors': String(max),
  'spark.dynamicAllocation.initialExecutors': '0',
  'spark.dynamicAllocation.cachedExecutorIdleTimeout': idle,
  'spark.executor.instances': '0',
  'spark.sql.shuffle.partitions': String(parallelism),
  'spark.default.parallelism': String(parallelism),
  'spark.app.name': 'orrery-session',
});

const CAP_TAIL = 'is past the maximum executor (12 cores, 110g), so it was set to';
const RECOMMENDED = '4 cores with 28g is the recommended shape (more executors, not bigger ones)';

interface RuleCase {
  name: string;
  request: Partial<SparkRequest>;
  conf: Record<string, string>;
  warnings?: string[];
  blocked?: string[];
  image?: string;
}

const CASES: RuleCase[] = [
  {
    name: 'gives 4 cores, 28g and up to 2 executors by default, idle executors kept 2400 s for a notebook',
    request: {},
    conf: dynamic(4, 28, 2, '2400s'),
  },
  {
    name: 'keeps idle executors 1500 s for a session that is not interactive',
    request: { interactive: false },
    conf: dynamic(4, 28, 2, '1500s'),
  },
  {
    name: 'gives 7g per core when only cores are given',
    request: { conf: { 'spark.executor.cores': '6' } },
    conf: dynamic(6, 42, 2, '2400s'),
  },
  {
    name: 'gives a core per whole 7g when only memory is given',
    request: { conf: { 'spark.executor.memory': '20g' } },
    conf: dynamic(2, 20, 2, '2400s'),
  },
  {
    name: 'gives at least one core to a small memory-only executor',
    request: { conf: { 'spark.executor.memory': '5G' } },
    conf: dynamic(1, 5, 2, '2400s'),
  },
  {
    name: 'reads megabytes as whole GB rounded up',
    request: { conf: { 'spark.executor.memory': '28000m' } },
    conf: dynamic(4, 28, 2, '2400s'),
  },
  {
    name: 'keeps both cores and memory when both are given, and takes the instances as the maximum executors',
    request: {
      conf: { 'spark.executor.cores': '8', 'spark.executor.memory': '56gb', 'spark.executor.instances': '5' },
    },
    conf: dynamic(8, 56, 5, '2400s'),
  },
  {
    name: 'caps cores past the maximum, and the memory derived from them, with a warning for each',
    request: { conf: { 'spark.executor.cores': '16' } },
    conf: dynamic(12, 110, 2, '2400s'),
    warnings: [
      `spark.executor.cores 16 ${CAP_TAIL} 12; ${RECOMMENDED}`,
      `spark.executor.memory 112g ${CAP_TAIL} 110g; ${RECOMMENDED}`,
    ],
  },
  {
    name: 'caps memory past the maximum, and the cores derived from it',
    request: { conf: { 'spark.executor.memory': '200g' } },
    conf: dynamic(12, 110, 2, '2400s'),
    warnings: [
      `spark.executor.cores 28 ${CAP_TAIL} 12; ${RECOMMENDED}`,
      `spark.executor.memory 200g ${CAP_TAIL} 110g; ${RECOMMENDED}`,
    ],
  },
  {
    name: 'caps the instances, and so the maximum executors, at 50 with a warning',
    request: { conf: { 'spark.executor.instances': '80' } },
    conf: dynamic(4, 28, 50, '2400s'),
    warnings: [
      'spark.executor.instances 80 is past the maximum of 50 executors, so it was set to 50; ask an admin if a job ' +
        'needs more',
    ],
  },
  {
    name: 'caps the fixed instances at 50 when dynamic allocation is off',
    request: { conf: { 'spark.dynamicAllocation.enabled': 'false', 'spark.executor.instances': '51' } },
    conf: {
      'spark.dynamicAllocation.enabled': 'false',
      'spark.executor.cores': '4',
      'spark.executor.memory': '28g',
      'spark.kubernetes.executor.limit.cores': '4',
      'spark.executor.instances': '50',
      'spark.sql.shuffle.partitions': '600',
      'spark.default.parallelism': '600',
      'spark.app.name': 'orrery-session',
    },
    warnings: [
      'spark.executor.instances 51 is past the maximum of 50 executors, so it was set to 50; ask an admin if a job ' +
        'needs more',
    ],
  },
  {
    name: 'runs the requested instances throughout when the user turns dynamic allocation off',
    request: { conf: { 'spark.dynamicAllocation.enabled': 'false', 'spark.executor.instances': '3' } },
    conf: {
      'spark.dynamicAllocation.enabled': 'false',
      'spark.executor.cores': '4',
      'spark.executor.memory': '28g',
      'spark.kubernetes.executor.limit.cores': '4',
      'spark.executor.instances': '3',
      'spark.sql.shuffle.partitions': '36',
      'spark.default.parallelism': '36',
      'spark.app.name': 'orrery-session',
    },
  },
  {
    name: 'falls back to 128 partitions when no executors are asked for',
    request: { conf: { 'spark.executor.instances': '0' } },
    conf: dynamic(4, 28, 0, '2400s', 128),
  },
  {
    name: 'drops each blocked option with a warning naming it and passes the rest through',
    request: {
      conf: {
        'spark.master': 'local[*]',
        'spark.sql.adaptive.enabled': 'true',
        'spark.kubernetes.authenticate.driver.serviceAccountName': 'admin',
        'spark.executorEnv.AWS_SECRET_ACCESS_KEY': 'shh',
        'spark.kubernetes.container.image.pullPolicy': 'Always',
      },
    },
    conf: { 'spark.sql.adaptive.enabled': 'true', ...dynamic(4, 28, 2, '2400s') },
    blocked: [
      'spark.master',
      'spark.kubernetes.authenticate.driver.serviceAccountName',
      'spark.executorEnv.AWS_SECRET_ACCESS_KEY',
      'spark.kubernetes.container.image.pullPolicy',
    ],
    warnings: [
      'spark.master was dropped: Orrery sets it for every session',
      'spark.kubernetes.authenticate.driver.serviceAccountName was dropped: Orrery sets it for every session',
      'spark.executorEnv.AWS_SECRET_ACCESS_KEY was dropped: Orrery sets it for every session',
      'spark.kubernetes.container.image.pullPolicy was dropped: Orrery sets it for every session',
    ],
  },
  {
    name: 'drops the options that place, own and label executors, passing other labels through',
    request: {
      conf: {
        'spark.kubernetes.executor.podTemplateFile': '/tmp/mine.yaml',
        'spark.kubernetes.driver.podTemplateFile': '/tmp/driver.yaml',
        'spark.kubernetes.executor.podTemplateContainerName': 'main',
        'spark.kubernetes.node.selector.orrery.dev/pool': 'gpu',
        'spark.kubernetes.executor.node.selector.kubernetes.io/hostname': 'node-1',
        'spark.kubernetes.driver.pod.name': 'someone-else',
        'spark.kubernetes.executor.podNamePrefix': 'mine',
        'spark.driver.host': '10.0.0.1',
        'spark.driver.port': '7078',
        'spark.blockManager.port': '7079',
        'spark.driver.blockManager.port': '7080',
        'spark.kubernetes.executor.label.orrery.dev/session': 'other',
        'spark.kubernetes.executor.label.team': 'geo',
        'spark.kubernetes.executor.annotation.team': 'geo',
      },
    },
    conf: {
      'spark.kubernetes.executor.label.team': 'geo',
      'spark.kubernetes.executor.annotation.team': 'geo',
      ...dynamic(4, 28, 2, '2400s'),
    },
    blocked: [
      'spark.kubernetes.executor.podTemplateFile',
      'spark.kubernetes.driver.podTemplateFile',
      'spark.kubernetes.executor.podTemplateContainerName',
      'spark.kubernetes.node.selector.orrery.dev/pool',
      'spark.kubernetes.executor.node.selector.kubernetes.io/hostname',
      'spark.kubernetes.driver.pod.name',
      'spark.kubernetes.executor.podNamePrefix',
      'spark.driver.host',
      'spark.driver.port',
      'spark.blockManager.port',
      'spark.driver.blockManager.port',
      'spark.kubernetes.executor.label.orrery.dev/session',
    ],
    warnings: [
      'spark.kubernetes.executor.podTemplateFile was dropped: Orrery sets it for every session',
      'spark.kubernetes.driver.podTemplateFile was dropped: Orrery sets it for every session',
      'spark.kubernetes.executor.podTemplateContainerName was dropped: Orrery sets it for every session',
      'spark.kubernetes.node.selector.orrery.dev/pool was dropped: Orrery sets it for every session',
      'spark.kubernetes.executor.node.selector.kubernetes.io/hostname was dropped: Orrery sets it for every session',
      'spark.kubernetes.driver.pod.name was dropped: Orrery sets it for every session',
      'spark.kubernetes.executor.podNamePrefix was dropped: Orrery sets it for every session',
      'spark.driver.host was dropped: Orrery sets it for every session',
      'spark.driver.port was dropped: Orrery sets it for every session',
      'spark.blockManager.port was dropped: Orrery sets it for every session',
      'spark.driver.blockManager.port was dropped: Orrery sets it for every session',
      'spark.kubernetes.executor.label.orrery.dev/session was dropped: Orrery sets it for every session',
    ],
  },
  {
    name: 'passes an image the pool allows and runs executors on it',
    request: { conf: { 'spark.kubernetes.container.image': TEAM_IMAGE } },
    conf: { 'spark.kubernetes.container.image': TEAM_IMAGE, ...dynamic(4, 28, 2, '2400s') },
    image: TEAM_IMAGE,
  },
  {
    name: 'drops an image the pool does not allow and runs the pool’s',
    request: { pool: 'spot', conf: { 'spark.kubernetes.container.image': TEAM_IMAGE } },
    conf: dynamic(4, 28, 2, '2400s'),
    blocked: ['spark.kubernetes.container.image'],
    warnings: [
      `spark.kubernetes.container.image was dropped: '${TEAM_IMAGE}' is not an image pool 'spot' allows (${IMAGE})`,
    ],
  },
  {
    name: 'holds the executor image option to the same rule',
    request: { conf: { 'spark.kubernetes.executor.container.image': 'evil/miner:latest' } },
    conf: dynamic(4, 28, 2, '2400s'),
    blocked: ['spark.kubernetes.executor.container.image'],
    warnings: [
      "spark.kubernetes.executor.container.image was dropped: 'evil/miner:latest' is not an image pool 'batch' " +
        `allows (${IMAGE}, ${TEAM_IMAGE})`,
    ],
  },
  {
    name: 'replaces a value the rules set, saying so',
    request: { conf: { 'spark.dynamicAllocation.minExecutors': '1', 'spark.sql.shuffle.partitions': '24' } },
    conf: dynamic(4, 28, 2, '2400s'),
    warnings: [
      'spark.dynamicAllocation.minExecutors=1 was replaced by 0: the sizing rules set it; it cannot be set in a ' +
        'session',
    ],
  },
  {
    name: 'says to set the instances for the maximum executors, and the cores for the limit',
    request: {
      conf: {
        'spark.dynamicAllocation.maxExecutors': '9',
        'spark.kubernetes.executor.limit.cores': '6',
        'spark.default.parallelism': '8',
      },
    },
    conf: dynamic(4, 28, 2, '2400s'),
    warnings: [
      'spark.kubernetes.executor.limit.cores=6 was replaced by 4: the sizing rules set it; set spark.executor.cores ' +
        'instead',
      'spark.dynamicAllocation.maxExecutors=9 was replaced by 2: the sizing rules set it; set ' +
        'spark.executor.instances instead',
      'spark.default.parallelism=8 was replaced by 24: the sizing rules set it; it cannot be set in a session',
    ],
  },
  {
    name: 'names the app as asked',
    request: { appName: 'nightly-etl' },
    conf: { ...dynamic(4, 28, 2, '2400s'), 'spark.app.name': 'nightly-etl' },
  },
];

const request = (r: Partial<SparkRequest>): SparkRequest => ({ conf: {}, interactive: true, ...r });

describe('sizeSpark', () => {
  it.each(CASES)('$name', (c) => {
    // Prepare
    const req = request(c.request);
    // Act
    const sizing = sizeSpark(req, POOLS, DEFAULT_SPARK_RULES);
    // Assess
    expect(sizing.conf).toEqual(c.conf);
    expect(sizing.warnings).toEqual(c.warnings ?? []);
    expect(sizing.blocked).toEqual(c.blocked ?? []);
    expect(sizing.image).toBe(c.image ?? IMAGE);
  });

  it('reports the shape, executors and pool beside the conf', () => {
    // Prepare
    const req = request({ pool: 'spot', conf: { 'spark.executor.instances': '4' } });
    // Act
    const sizing = sizeSpark(req, POOLS, DEFAULT_SPARK_RULES);
    // Assess
    expect(sizing).toMatchObject({
      pool: SPOT,
      appName: 'orrery-session',
      executor: { cores: 4, memoryGb: 28 },
      dynamicAllocation: true,
      minExecutors: 0,
      maxExecutors: 4,
      initialExecutors: 0,
    });
  });

  it('refuses an unknown pool, listing the known ones', () => {
    // Prepare
    const req = request({ pool: 'gpu' });
    // Act
    const act = () => sizeSpark(req, POOLS, DEFAULT_SPARK_RULES);
    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow("unknown Spark pool 'gpu'; valid: batch, spot");
  });

  it.each([
    ['spark.executor.memory', '28', "spark.executor.memory '28' is not a memory size such as 28g"],
    ['spark.executor.memory', 'lots', "spark.executor.memory 'lots' is not a memory size such as 28g"],
    ['spark.executor.memory', '1k', "spark.executor.memory '1k' is not a memory size such as 28g"],
    ['spark.executor.cores', '2.5', "spark.executor.cores '2.5' is not a whole number of at least 1 (e.g. 4)"],
    ['spark.executor.cores', '0', "spark.executor.cores '0' is not a whole number of at least 1 (e.g. 4)"],
    ['spark.executor.instances', 'two', "spark.executor.instances 'two' is not a whole number of at least 0"],
  ])('refuses %s=%s, saying what to write', (key, value, message) => {
    // Prepare
    const req = request({ conf: { [key]: value } });
    // Act
    const act = () => sizeSpark(req, POOLS, DEFAULT_SPARK_RULES);
    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(message);
  });
});

describe('parseExecutorMemoryGb', () => {
  it.each([
    ['28g', 28],
    ['28G', 28],
    ['28gb', 28],
    [' 28GB ', 28],
    ['28672m', 28],
    ['28000m', 28],
    ['512m', 1],
    ['1t', 1024],
  ])('reads %s as %i GB', (text, gb) => {
    // Prepare, Act
    const parsed = parseExecutorMemoryGb(text);
    // Assess
    expect(parsed).toBe(gb);
  });
});

describe('cost', () => {
  it('prices the default session at the batch pool’s rate, rounded to cents', () => {
    // Prepare
    const req = request({});
    // Act
    const { cost, warnings } = sizeSpark(req, POOLS, DEFAULT_SPARK_RULES);
    // Assess
    expect(cost).toEqual({ hourlyUsd: 0, maxHourlyUsd: 0.33, dailyMaxUsd: 7.87, highCost: false });
    expect(warnings).toEqual([]);
  });

  it('prices a session without dynamic allocation at its instances', () => {
    // Prepare
    const req = request({ conf: { 'spark.dynamicAllocation.enabled': 'false', 'spark.executor.instances': '3' } });
    // Act
    const { cost } = sizeSpark(req, POOLS, DEFAULT_SPARK_RULES);
    // Assess
    expect(cost).toEqual({ hourlyUsd: 0.49, maxHourlyUsd: 0.49, dailyMaxUsd: 11.81, highCost: false });
  });

  it('warns when fifty of the largest executors could cost more than $500 a day', () => {
    // Prepare
    const req = request({ conf: { 'spark.executor.cores': '12', 'spark.executor.instances': '50' } });
    // Act
    const { cost, warnings } = sizeSpark(req, POOLS, DEFAULT_SPARK_RULES);
    // Assess
    expect(cost).toEqual({ hourlyUsd: 0, maxHourlyUsd: 24.6, dailyMaxUsd: 590.4, highCost: true });
    expect(warnings).toEqual(['this session may cost up to $590.40 a day (over $500)']);
  });

  it.each([
    [4, 384, false],
    [5, 480, false],
    [6, 576, true],
  ])('with %i executors costing $%i a day against a $480 threshold, high cost is %s', (max, daily, high) => {
    // Prepare
    const pool: SparkPool = { ...BATCH, pricePerCoreHour: 1 };
    const rules: SparkRules = { ...DEFAULT_SPARK_RULES, dailyCostThresholdUsd: 480 };
    // Act
    const cost = sparkCost({ cores: 4, memoryGb: 28 }, { maxExecutors: max, initialExecutors: 1 }, pool, rules);
    // Assess
    expect(cost).toEqual({ hourlyUsd: 4, maxHourlyUsd: 4 * max, dailyMaxUsd: daily, highCost: high });
  });
});
