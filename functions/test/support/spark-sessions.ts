import type { SparkSession } from '../../src/domain/spark-session.ts';
import { serverIdFor } from '../../src/domain/server.ts';

const BASE = Date.UTC(2026, 0, 5, 9, 0, 0);
/** The instant `minutes` after the suites' base time, as ISO text. */
export const isoMinutes = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

/** One ACTIVE session of alice's server `lab`, created `i` minutes after the base time; tests change what they need. */
export const sampleSparkSession = (i: number, over: Partial<SparkSession> = {}): SparkSession => {
  const owner = over.owner ?? 'alice';
  const serverName = over.serverName ?? 'lab';
  const id = over.id ?? `sp${String(i).padStart(16, '0')}`;
  return {
    id,
    appId: `spark-${id}`,
    serverId: serverIdFor(owner, serverName),
    serverName,
    owner,
    team: 'ads',
    appName: 'orrery-session',
    pool: 'batch',
    executor: { cores: 4, memoryGb: 28 },
    dynamicAllocation: true,
    maxExecutors: 2,
    initialExecutors: 0,
    conf: { 'spark.executor.cores': '4', 'spark.executor.memory': '28g' },
    warnings: [],
    blocked: [],
    links: { ui: 'http://127.0.0.1:4040/', history: '', monitoring: '' },
    cost: { hourlyUsd: 0, maxHourlyUsd: 0.33, dailyMaxUsd: 7.87, highCost: false },
    status: 'ACTIVE',
    createdAt: isoMinutes(i),
    ...over,
  };
};
