import { DynamoDbServerStore } from '../adapters/aws/dynamodb-server-store.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { Config } from '../config/config.ts';
import { defaultCullPolicy } from '../domain/cull-policy.ts';
import { makeLabServerHandlers } from '../handlers/http/lab-handlers.ts';
import { makeServerHandlers, type ServerRouteDeps } from '../handlers/http/server-handlers.ts';
import { makeApiRouter, type ApiRouter } from '../http/api-router.ts';
import { makeCloudCompute } from './cloud-compute.ts';
import { documentClient } from './cloud-ports.ts';
import { makeCloudWorkflows } from './cloud-workflows.ts';
import { loadLambdaConfig } from './lambda-config.ts';

/**
 * The server routes' deps in the cloud: server records in DynamoDB; the launch workflow and the Kubernetes API,
 * each loaded on the first launch or stop (progress, activity reports and reads, most requests, need neither).
 */
export const makeServerRouteDeps = (config: Config): ServerRouteDeps => ({
  servers: new DynamoDbServerStore(documentClient(config), config.table),
  compute: makeCloudCompute(config),
  workflows: makeCloudWorkflows(config),
  clock: new SystemClock(),
  ids: new RandomIds(),
  profiles: config.profiles,
  roles: config.roles,
  serverSettings: config.serverSettings,
  cullPolicy: defaultCullPolicy(config.serverSettings.cull),
});

/** The servers function. */
export const makeServersFunction = async (): Promise<ApiRouter> => {
  const config = await loadLambdaConfig();
  const deps = makeServerRouteDeps(config);
  const options = { claimNames: config.claimNames };
  return makeApiRouter({ ...makeServerHandlers(deps, options), ...makeLabServerHandlers(deps, options) });
};
