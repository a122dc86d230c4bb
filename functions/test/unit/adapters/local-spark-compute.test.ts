import { describe, expect, it } from 'vitest';
import { LocalSparkCompute, uiPortFor } from '../../../src/adapters/local/local-spark-compute.ts';
import { sizeSpark } from '../../../src/domain/spark-sizing.ts';
import type { SparkSessionSpec } from '../../../src/ports/spark-compute.ts';
import { TEST_SPARK } from '../../support/fakes.ts';

const spec = (conf: Record<string, string>, sessionId = 'sp0001'): SparkSessionSpec => {
  const sizing = sizeSpark({ conf, interactive: true }, TEST_SPARK.pools, TEST_SPARK.rules);
  return {
    sessionId,
    appId: `spark-${sessionId}`,
    serverId: 'jupyter-alice--lab-00000000',
    serverName: 'lab',
    owner: 'alice',
    basePath: '/user/alice/lab/',
    serverUrl: '',
    apiUrl: 'http://127.0.0.1:1/api',
    pool: sizing.pool,
    sizing,
  };
};

describe('LocalSparkCompute', () => {
  it('runs Spark in the kernel: local[cores × executors], the executor memory as driver memory, a UI port of its own', async () => {
    // Prepare
    const compute = new LocalSparkCompute({ cpus: 16, memoryBytes: 64e9 });
    // Act
    const placement = await compute.startSession(spec({ 'spark.executor.cores': '2' }));
    // Assess
    const port = uiPortFor('sp0001');
    expect(placement).toEqual({
      conf: {
        'spark.master': 'local[4]',
        'spark.driver.memory': '14g',
        'spark.ui.port': String(port),
        'spark.app.id': 'spark-sp0001',
      },
      links: { ui: `http://127.0.0.1:${port}/` },
    });
    expect(port).toBeGreaterThanOrEqual(4040);
    expect(port).toBeLessThanOrEqual(4099);
  });

  it("holds the threads to the machine's CPUs and the memory to a quarter of its memory, at least 1g", async () => {
    // Prepare
    const small = new LocalSparkCompute({ cpus: 2, memoryBytes: 2e9 });
    // Act
    const placement = await small.startSession(spec({ 'spark.executor.cores': '12' }));
    // Assess
    expect(placement.conf).toMatchObject({ 'spark.master': 'local[2]', 'spark.driver.memory': '1g' });
  });

  it("counts the machine's memory in GiB, Spark's g: a quarter of 16e9 bytes is 3g, of 16 GiB 4g", async () => {
    // Prepare
    const decimal = new LocalSparkCompute({ cpus: 4, memoryBytes: 16e9 });
    const binary = new LocalSparkCompute({ cpus: 4, memoryBytes: 16 * 1024 ** 3 });
    // Act
    const fromDecimal = await decimal.startSession(spec({}));
    const fromBinary = await binary.startSession(spec({}));
    // Assess
    expect(fromDecimal.conf['spark.driver.memory']).toBe('3g');
    expect(fromBinary.conf['spark.driver.memory']).toBe('4g');
  });
});
