import { makeApiRouter } from '../../shared/api-router.ts';
import { loadCloudConfig } from '../../shared/cloud-config.ts';
import { makeCloudCompute } from '../../shared/cloud-compute.ts';
import { makeServerCloudDeps } from '../../shared/cloud-composition.ts';
import { makeCloudWorkflows } from '../../shared/cloud-workflows.ts';
import { makeServerHandlers } from './server-handlers.ts';

const config = await loadCloudConfig();
const deps = makeServerCloudDeps(config, { workflows: makeCloudWorkflows(config), compute: makeCloudCompute(config) });

/** Lambda entry of the server routes: DynamoDB, the launch workflow, and the Kubernetes API loaded when a stop needs it. */
export const handler = makeApiRouter(makeServerHandlers(deps, { claimNames: config.claimNames }));
