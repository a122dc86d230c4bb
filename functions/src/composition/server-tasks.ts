import { DynamoDbServerStore } from '../adapters/aws/dynamodb-server-store.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { Config } from '../config/config.ts';
import { defaultCullPolicy } from '../domain/cull-policy.ts';
import { makeServerTasks, type ServerTaskDeps } from '../handlers/tasks/server-tasks.ts';
import { emitMetrics } from '../observability/metrics.ts';
import { makeCloudCompute } from './cloud-compute.ts';
import { documentClient } from './cloud-ports.ts';
import { loadLambdaConfig } from './lambda-config.ts';

/** The launch-server workflow's steps' deps in the cloud: server records in DynamoDB and the Kubernetes API. */
export const makeServerTaskDeps = (config: Config): ServerTaskDeps => ({
  servers: new DynamoDbServerStore(documentClient(config), config.table),
  compute: makeCloudCompute(config),
  clock: new SystemClock(),
  profiles: config.profiles,
  serverSettings: config.serverSettings,
  cullPolicy: defaultCullPolicy(config.serverSettings.cull),
});

/** The launch-server workflow's task function, with metrics in the log. */
export const makeServerTaskFunction = async (): Promise<ReturnType<typeof makeServerTasks>> =>
  makeServerTasks(makeServerTaskDeps(await loadLambdaConfig()), emitMetrics);
