import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { checkSparkPools, DEFAULT_SPARK_POOLS, parseSparkPoolsJson } from '../../../src/config/spark-pools.ts';
import { DEFAULT_SPARK_RULES } from '../../../src/domain/spark-sizing.ts';

const BASE = { ORRERY_TABLE: 't', ORRERY_BUCKET: 'b', ORRERY_CURSOR_SECRET: 'x'.repeat(32) };
const EXAMPLE = join(import.meta.dirname, '..', '..', '..', '..', 'config', 'spark-pools.example.yaml');

describe('configuration of Spark sessions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-spark-pools-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('gives the batch and spot pools, the issue’s rules and no links when nothing is set', () => {
    // Act
    const { spark } = loadConfig(BASE);
    // Assess
    expect(spark).toEqual({
      pools: DEFAULT_SPARK_POOLS,
      rules: DEFAULT_SPARK_RULES,
      historyUrl: '',
      monitoringUrl: '',
    });
    expect(spark.pools.map((p) => [p.name, p.pricePerCoreHour])).toEqual([
      ['batch', 0.041],
      ['spot', 0.015],
    ]);
    expect(spark.pools[1]!.tolerations).toEqual([{ key: 'orrery.dev/spot', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  it('reads the cost threshold, the maximum age and the link templates', () => {
    // Prepare
    const env = {
      ...BASE,
      ORRERY_SPARK_DAILY_COST_THRESHOLD_USD: '250.5',
      ORRERY_SPARK_MAX_AGE_SECONDS: '3600',
      ORRERY_SPARK_HISTORY_URL: 'https://spark-history.example.com/history/{appId}/jobs/',
      ORRERY_SPARK_MONITORING_URL: 'https://grafana.example.com/d/spark?var-app={appId}&var-user={owner}',
    };
    // Act
    const { spark } = loadConfig(env);
    // Assess
    expect(spark.rules).toEqual({ ...DEFAULT_SPARK_RULES, dailyCostThresholdUsd: 250.5, maxAgeSeconds: 3600 });
    expect(spark.historyUrl).toBe(env.ORRERY_SPARK_HISTORY_URL);
    expect(spark.monitoringUrl).toBe(env.ORRERY_SPARK_MONITORING_URL);
  });

  it('reads the pools from a YAML file, the first one becoming the default pool', () => {
    // Prepare
    const pools = file(
      'pools.yaml',
      '- name: gpu-free\n  image: registry.example.com/spark:3.5\n  pricePerCoreHour: 0.05\n' +
        '- name: batch\n  image: registry.example.com/spark:3.5\n  pricePerCoreHour: 0.04\n',
    );
    // Act
    const { spark } = loadConfig({ ...BASE, ORRERY_SPARK_POOLS_FILE: pools });
    // Assess
    expect(spark.pools).toEqual([
      {
        name: 'gpu-free',
        image: 'registry.example.com/spark:3.5',
        allowedImages: [],
        nodeSelector: {},
        tolerations: [],
        pricePerCoreHour: 0.05,
      },
      expect.objectContaining({ name: 'batch', pricePerCoreHour: 0.04 }),
    ]);
    expect(spark.rules.defaultPool).toBe('gpu-free');
  });

  it('reads rules from a {pools, rules} file over the defaults, the variables winning for threshold and age', () => {
    // Prepare
    const pools = file(
      'rules.yaml',
      'pools:\n  - name: batch\n    image: x\n    pricePerCoreHour: 0.04\n' +
        '  - name: spot\n    image: x\n    pricePerCoreHour: 0.01\n' +
        'rules:\n  memoryPerCoreGb: 8\n  maximum: { cores: 16 }\n  defaults: { instances: 4 }\n  maxExecutors: 20\n' +
        '  executorAllocationRatio: 0.5\n  fallbackParallelism: 64\n  dailyCostThresholdUsd: 100\n' +
        '  maxAgeSeconds: 7200\n  defaultPool: spot\n',
    );
    // Act
    const fromFile = loadConfig({ ...BASE, ORRERY_SPARK_POOLS_FILE: pools }).spark.rules;
    const fromEnv = loadConfig({
      ...BASE,
      ORRERY_SPARK_POOLS_FILE: pools,
      ORRERY_SPARK_DAILY_COST_THRESHOLD_USD: '900',
      ORRERY_SPARK_MAX_AGE_SECONDS: '600',
    }).spark.rules;
    // Assess
    const expected = {
      ...DEFAULT_SPARK_RULES,
      memoryPerCoreGb: 8,
      maximum: { cores: 16, memoryGb: 110 },
      defaults: { cores: 4, memoryGb: 28, instances: 4 },
      maxExecutors: 20,
      executorAllocationRatio: 0.5,
      fallbackParallelism: 64,
      dailyCostThresholdUsd: 100,
      maxAgeSeconds: 7200,
      defaultPool: 'spot',
    };
    expect(fromFile).toEqual(expected);
    expect(fromEnv).toEqual({ ...expected, dailyCostThresholdUsd: 900, maxAgeSeconds: 600 });
  });

  it.each([
    [{ executorAllocationRatio: 0 }, 'rules.executorAllocationRatio: a ratio in (0, 1], such as 0.8'],
    [{ executorAllocationRatio: 1.5 }, 'rules.executorAllocationRatio: a ratio in (0, 1], such as 0.8'],
    [{ maximum: { cores: 2.5 } }, 'rules.maximum.cores: executor cores: a whole number of at least 1'],
    [{ memoryPerCoreGb: -7 }, 'rules.memoryPerCoreGb: GB of executor memory per core: a whole number of at least 1'],
    [{ maxAgeSeconds: 10 }, 'rules.maxAgeSeconds: seconds: a whole number of at least 60'],
    [{ dailyCostThreshold: 5 }, 'rules: Unrecognized key: "dailyCostThreshold"'],
    [{ defaults: { instances: 0 } }, 'rules.defaults.instances: executors: a whole number of at least 1'],
    [
      { maximum: { cores: 6 } },
      'rules.maximum.cores: 6 is less than rules.medium.cores (8); the shapes go recommended ≤ medium ≤ maximum',
    ],
    [
      { recommended: { memoryGb: 64 } },
      'rules.medium.memoryGb: 56 is less than rules.recommended.memoryGb (64); the shapes go recommended ≤ medium',
    ],
    [{ defaults: { memoryGb: 128 } }, 'rules.defaults.memoryGb: 128 is more than rules.maximum.memoryGb (110)'],
    [{ defaultPool: 'gpu' }, "rules.defaultPool: 'gpu' is not a pool; valid: batch"],
    [{ maxExecutors: 0 }, 'rules.maxExecutors: executors: a whole number of at least 1'],
    [{ maxExecutors: 1 }, 'rules.defaults.instances: 2 is more than rules.maxExecutors (1)'],
  ])('stops start-up naming the rule when the rules are %j', (rules, message) => {
    // Prepare
    const raw = { pools: [{ name: 'batch', image: 'x', pricePerCoreHour: 1 }], rules };
    // Act
    const act = () => checkSparkPools(raw, 'pools.json');
    // Assess
    expect(act).toThrow(`configuration: pools.json: ${message}`);
  });

  it('says what the file may be when it is neither a list nor {pools, rules}', () => {
    // Act
    const act = () => checkSparkPools('batch', 'pools.json');
    // Assess
    expect(act).toThrow('configuration: pools.json: (top): the list of pools, or {pools: [...], rules: {...}}');
  });

  it('stops start-up with the file, where and what when a pool is wrong', () => {
    // Prepare
    const pools = file('bad.yaml', '- name: Batch Pool\n  image: x\n- name: spot\n  pricePerCoreHour: -1\n');
    // Act
    const act = () => loadConfig({ ...BASE, ORRERY_SPARK_POOLS_FILE: pools });
    // Assess
    expect(act).toThrow(
      `configuration: ORRERY_SPARK_POOLS_FILE ${pools}: 0.name: a name: lowercase letters, digits, inner dashes; ` +
        '0.pricePerCoreHour: US dollars per executor core-hour, such as 0.041; 1.image: ',
    );
  });

  it('stops start-up naming the variable when the pools file cannot be read', () => {
    // Prepare
    const missing = join(dir, 'missing.yaml');
    // Act
    const act = () => loadConfig({ ...BASE, ORRERY_SPARK_POOLS_FILE: missing });
    // Assess
    expect(act).toThrow(`configuration: ORRERY_SPARK_POOLS_FILE ${missing} cannot be read`);
  });

  it('refuses two pools of one name, and an empty registry', () => {
    // Prepare
    const pool = { name: 'batch', image: 'x', pricePerCoreHour: 1 };
    // Act
    const twice = () => checkSparkPools([pool, pool], 'pools.json');
    const none = () => checkSparkPools([], 'pools.json');
    // Assess
    expect(twice).toThrow('configuration: pools.json: (top): Spark pool names must be unique');
    expect(none).toThrow('configuration: pools.json: (top): name at least one Spark pool');
  });

  it('reads JSON only in the cloud, naming the source when it is not', () => {
    // Prepare
    const yaml = '- name: batch\n';
    // Act
    const act = () => parseSparkPoolsJson(yaml, 'pools.json');
    // Assess
    expect(act).toThrow(/^configuration: pools.json is not JSON \(the cloud reads the Spark pools as JSON\)/);
  });

  it.each([
    ['ORRERY_SPARK_DAILY_COST_THRESHOLD_USD', 'lots', 'a price in US dollars of at least 0'],
    ['ORRERY_SPARK_MAX_AGE_SECONDS', '12h', 'a whole number of at least 60'],
    ['ORRERY_SPARK_HISTORY_URL', 'https://h.example.com/{app}', 'unknown placeholder {app}: use {appId}, {sessionId}'],
    ['ORRERY_SPARK_MONITORING_URL', 'grafana/{appId}', 'an http(s) URL, with {appId}, {sessionId}, {server}, {owner}'],
  ])('stops start-up naming %s when it is %s', (name, value, message) => {
    // Act
    const act = () => loadConfig({ ...BASE, [name]: value });
    // Assess
    expect(act).toThrow(`configuration: ${name}: ${message}`);
  });
});

describe('the example Spark pools in config/', () => {
  it('are the default pools, so the file is a working start', () => {
    // Prepare
    const env = { ...BASE, ORRERY_SPARK_POOLS_FILE: EXAMPLE };
    // Act
    const { spark } = loadConfig(env);
    // Assess
    expect(spark).toMatchObject({ pools: DEFAULT_SPARK_POOLS, rules: DEFAULT_SPARK_RULES });
  });

  it('show every rule with its default in the commented rules section', () => {
    // Prepare: uncomment the section (`# rules:` and its `#   ` lines; comments after a value stay comments)
    const text = readFileSync(EXAMPLE, 'utf8')
      .replace(/^# rules:/m, 'rules:')
      .replace(/^# {3}/gm, '  ')
      .replace(/^#(\s+)#/gm, '$1#');
    // Act
    const { rules } = checkSparkPools(loadYaml(text), EXAMPLE);
    // Assess
    expect(rules).toEqual(DEFAULT_SPARK_RULES);
  });
});
