import { loadCloudConfig } from '../../shared/cloud-config.ts';
import { makeCloudCompute } from '../../shared/cloud-compute.ts';
import { makeServerCloudDeps } from '../../shared/cloud-composition.ts';
import { workflowsNotWired } from '../../shared/cloud-workflows.ts';
import { emitMetrics } from '../../shared/metrics.ts';
import { makeServerTasks } from './server-tasks.ts';

const config = await loadCloudConfig();
const deps = makeServerCloudDeps(config, { workflows: workflowsNotWired('the launch-server workflow\'s tasks'), compute: makeCloudCompute(config) });

/** Lambda entry of every Task state of the launch-server workflow (the step is in the payload); counts launches. */
export const handler = makeServerTasks(deps, emitMetrics);
