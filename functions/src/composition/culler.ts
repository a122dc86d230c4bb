import { DynamoDbNotebookStore } from '../adapters/aws/dynamodb-notebook-store.ts';
import { DynamoDbServerStore } from '../adapters/aws/dynamodb-server-store.ts';
import { DynamoDbSparkSessionStore } from '../adapters/aws/dynamodb-spark-session-store.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { Config } from '../config/config.ts';
import { defaultCullPolicy } from '../domain/cull-policy.ts';
import { makeCullHandler, type CullerDeps } from '../handlers/scheduled/cull-idle-handler.ts';
import { emitMetrics } from '../observability/metrics.ts';
import { makeCloudCompute } from './cloud-compute.ts';
import { documentClient, makeNotifier } from './cloud-ports.ts';
import { makeCloudSparkCompute } from './cloud-spark.ts';
import { loadLambdaConfig } from './lambda-config.ts';

/**
 * The idle culler's deps in the cloud: server and Spark session records, notebook records (each sweep advances
 * their indexing), the Kubernetes API to stop servers and Spark executors, Slack or the log for warnings, the Spark
 * rules (a session's maximum age).
 */
export const makeCullerDeps = (config: Config): CullerDeps => {
  const doc = documentClient(config);
  return {
    servers: new DynamoDbServerStore(doc, config.table),
    notebooks: new DynamoDbNotebookStore(doc, config.table),
    sparkSessions: new DynamoDbSparkSessionStore(doc, config.table),
    compute: makeCloudCompute(config),
    sparkCompute: makeCloudSparkCompute(config),
    spark: config.spark,
    notifier: makeNotifier(config, doc),
    clock: new SystemClock(),
    ids: new RandomIds(),
    profiles: config.profiles,
    serverSettings: config.serverSettings,
    cullPolicy: defaultCullPolicy(config.serverSettings.cull),
  };
};

/** The idle culler's function, with metrics in the log. */
export const makeCullerFunction = async (): Promise<ReturnType<typeof makeCullHandler>> =>
  makeCullHandler(makeCullerDeps(await loadLambdaConfig()), emitMetrics);
