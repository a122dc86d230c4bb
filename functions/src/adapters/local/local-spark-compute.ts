import { createHash } from 'node:crypto';
import { availableParallelism, totalmem } from 'node:os';
import type { SparkCompute, SparkPlacement, SparkSessionSpec } from '../../ports/spark-compute.ts';

/** The machine's size, which local Spark must fit in. */
export interface LocalMachine {
  cpus: number;
  memoryBytes: number;
}

// Spark's `g` is GiB (1g = 1024m): a quarter of the machine in the same unit.
const GIB = 1024 ** 3;
// Spark's UI tries 4040 and counts up on a clash; a port of its own per session (from the id) keeps the link right
// when a developer runs a few sessions at once.
const UI_PORTS = { first: 4040, count: 60 };

/**
 * Spark locally: the kernel is driver and executors in one JVM (`local[N]`), so nothing is placed and nothing is
 * stopped here (the driver lives, and dies, with the kernel).
 * - N = the executor cores × the maximum executors (at least one executor), held to the machine's CPUs: the sizing
 *   is for a cluster, and more threads than cores only makes a laptop slower.
 * - spark.driver.memory = the executor's memory, held to a quarter of the machine's (at least 1g): the JVM holds
 *   every task's memory at once, and the machine also runs Jupyter, the platform and the developer's own work.
 */
export class LocalSparkCompute implements SparkCompute {
  constructor(private readonly machine: LocalMachine = { cpus: availableParallelism(), memoryBytes: totalmem() }) {}

  async startSession(spec: SparkSessionSpec): Promise<SparkPlacement> {
    const { executor, maxExecutors } = spec.sizing;
    const threads = Math.max(1, Math.min(executor.cores * Math.max(1, maxExecutors), this.machine.cpus));
    const memoryGb = Math.max(1, Math.min(executor.memoryGb, Math.floor(this.machine.memoryBytes / GIB / 4)));
    const port = uiPortFor(spec.sessionId);
    return {
      conf: {
        'spark.master': `local[${threads}]`,
        'spark.driver.memory': `${memoryGb}g`,
        'spark.ui.port': String(port),
        'spark.app.id': spec.appId,
      },
      links: { ui: `http://127.0.0.1:${port}/` },
    };
  }

  async stopSession(): Promise<void> {}
}

/** The Spark UI port of a local session: one of 4040–4099, from its id. */
export const uiPortFor = (sessionId: string): number =>
  UI_PORTS.first + (createHash('sha256').update(sessionId).digest().readUInt32BE(0) % UI_PORTS.count);
