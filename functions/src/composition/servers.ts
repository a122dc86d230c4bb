import { DynamoDbServerStore } from '../adapters/aws/dynamodb-server-store.ts';
import { DynamoDbSparkSessionStore } from '../adapters/aws/dynamodb-spark-session-store.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { Config } from '../config/config.ts';
import { defaultCullPolicy } from '../domain/cull-policy.ts';
import { makeLabServerHandlers } from '../handlers/http/lab-handlers.ts';
import { makeServerHandlers, type ServerRouteDeps } from '../handlers/http/server-handlers.ts';
import { makeSparkHandlers, type SparkRouteDeps } from '../handlers/http/spark-handlers.ts';
import { makeApiRouter, type ApiRouter } from '../http/api-router.ts';
import { makeCloudCompute } from './cloud-compute.ts';
import { cursorCodec, documentClient, makeNotifier } from './cloud-ports.ts';
import { makeCloudSparkCompute } from './cloud-spark.ts';
import { makeCloudWorkflows } from './cloud-workflows.ts';
import { loadLambdaConfig } from './lambda-config.ts';

/**
 * The server and Spark routes' deps in the cloud: server and Spark session records in DynamoDB; the launch workflow
 * and the Kubernetes API, each loaded on the first launch or stop (progress, activity reports and reads, most
 * requests, need neither); the notifier for a high-cost Spark session's notice; cursors for the sessions list.
 */
export const makeServerRouteDeps = (config: Config): ServerRouteDeps & SparkRouteDeps => {
  const doc = documentClient(config);
  return {
    servers: new DynamoDbServerStore(doc, config.table),
    sparkSessions: new DynamoDbSparkSessionStore(doc, config.table),
    compute: makeCloudCompute(config),
    sparkCompute: makeCloudSparkCompute(config),
    notifier: makeNotifier(config, doc),
    cursors: cursorCodec(config),
    spark: config.spark,
    workflows: makeCloudWorkflows(config),
    clock: new SystemClock(),
    ids: new RandomIds(),
    profiles: config.profiles,
    roles: config.roles,
    serverSettings: config.serverSettings,
    cullPolicy: defaultCullPolicy(config.serverSettings.cull),
  };
};

/** The servers function. */
export const makeServersFunction = async (): Promise<ApiRouter> => {
  const config = await loadLambdaConfig();
  const deps = makeServerRouteDeps(config);
  const options = { claimNames: config.claimNames };
  return makeApiRouter({
    ...makeServerHandlers(deps, options),
    ...makeLabServerHandlers(deps, options),
    ...makeSparkHandlers(deps, options),
  });
};
