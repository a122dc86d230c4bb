import { DynamoDbNotebookStore } from '../adapters/aws/dynamodb-notebook-store.ts';
import { DynamoDbRunStore } from '../adapters/aws/dynamodb-run-store.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { Config } from '../config/config.ts';
import { makeRunTasks, type RunTaskDeps } from '../handlers/tasks/run-tasks.ts';
import { emitMetrics } from '../observability/metrics.ts';
import { lazyBucketPorts } from './cloud-bucket.ts';
import { documentClient } from './cloud-ports.ts';
import { loadLambdaConfig } from './lambda-config.ts';
import { afterRunEnded, type RunEndDeps } from './schedule-hooks.ts';
import { makeScheduleDeps } from './schedules.ts';

/**
 * The run workflow's tasks' deps in the cloud: run and notebook records in DynamoDB; the version's body and the
 * run's files in S3, loaded by the first step that reads or writes them (MarkStarted only moves the record).
 */
export const makeRunTaskDeps = (config: Config): RunTaskDeps => {
  const doc = documentClient(config);
  const bucket = lazyBucketPorts(config);
  return {
    runs: new DynamoDbRunStore(doc, config.table),
    notebooks: new DynamoDbNotebookStore(doc, config.table),
    bodies: bucket.bodies,
    runFiles: bucket.runFiles,
    clock: new SystemClock(),
    ids: new RandomIds(),
    runSettings: config.runSettings,
    profiles: config.profiles,
  };
};

/**
 * The run workflow's task functions (Prepare, MarkStarted, Finalize), with metrics in the log. A scheduled run's end
 * goes to its schedule and its notices, with the schedules' ports built on the first such end.
 */
export const makeRunTaskFunctions = async (): Promise<ReturnType<typeof makeRunTasks>> => {
  const config = await loadLambdaConfig();
  let scheduleDeps: RunEndDeps | undefined;
  const schedulesOf = (): RunEndDeps => {
    scheduleDeps ??= makeScheduleDeps(config);
    return scheduleDeps;
  };
  return makeRunTasks(makeRunTaskDeps(config), emitMetrics, (run) => afterRunEnded(schedulesOf(), run));
};
