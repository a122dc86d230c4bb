import { loadCloudConfig } from '../../shared/cloud-config.ts';
import { makeRunCloudDeps, rendererNotWired } from '../../shared/cloud-composition.ts';
import { workflowsNotWired } from '../../shared/cloud-workflows.ts';
import { emitMetrics } from '../../shared/metrics.ts';
import { makeRunTasks } from './run-tasks.ts';

const config = await loadCloudConfig();
const tasks = makeRunTasks(makeRunCloudDeps(config, workflowsNotWired('the run workflow\'s tasks'), rendererNotWired('the run workflow\'s tasks')), emitMetrics);

/** Lambda entry of the Prepare state (counts the run as started). */
export const prepare = tasks.prepare;
/** Lambda entry of the MarkStarted state. */
export const markStarted = tasks.markStarted;
/** Lambda entry of the Finalize and RecordFailure states (counts the run by how it ended, with its duration). */
export const finalize = tasks.finalize;
