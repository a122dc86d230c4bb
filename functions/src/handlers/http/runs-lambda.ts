import { makeApiRouter } from '../../shared/api-router.ts';
import { loadCloudConfig } from '../../shared/cloud-config.ts';
import { makeCloudRenderer } from '../../shared/cloud-renderer.ts';
import { makeRunCloudDeps } from '../../shared/cloud-composition.ts';
import { makeCloudWorkflows } from '../../shared/cloud-workflows.ts';
import { makeRunHandlers } from './run-handlers.ts';

const config = await loadCloudConfig();

/** Lambda entry of the run routes: DynamoDB, S3 and Step Functions (start and stop the run workflow). */
export const handler = makeApiRouter(makeRunHandlers(makeRunCloudDeps(config, makeCloudWorkflows(config), makeCloudRenderer()), { claimNames: config.claimNames }));
