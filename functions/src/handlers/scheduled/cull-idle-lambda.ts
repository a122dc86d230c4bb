import { loadCloudConfig } from '../../shared/cloud-config.ts';
import { makeCloudCompute } from '../../shared/cloud-compute.ts';
import { makeServerCloudDeps } from '../../shared/cloud-composition.ts';
import { workflowsNotWired } from '../../shared/cloud-workflows.ts';
import { emitMetrics } from '../../shared/metrics.ts';
import { makeCullHandler } from './cull-idle-handler.ts';

const config = await loadCloudConfig();
const deps = makeServerCloudDeps(config, { workflows: workflowsNotWired('the culler'), compute: makeCloudCompute(config) });

/** The EventBridge schedule's target: one sweep of the idle culler, its figures in the log and in metrics. */
export const handler = makeCullHandler(deps, emitMetrics);
