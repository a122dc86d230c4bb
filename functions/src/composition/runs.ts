import { DynamoDbNotebookStore } from '../adapters/aws/dynamodb-notebook-store.ts';
import { DynamoDbNotificationLog } from '../adapters/aws/dynamodb-notification-log.ts';
import { DynamoDbRunStore } from '../adapters/aws/dynamodb-run-store.ts';
import { DynamoDbScheduleStore } from '../adapters/aws/dynamodb-schedule-store.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { Config } from '../config/config.ts';
import { makeNotificationHandlers } from '../handlers/http/notification-handlers.ts';
import { makeRunHandlers, type RunRouteDeps } from '../handlers/http/run-handlers.ts';
import { makeApiRouter, type ApiRouter } from '../http/api-router.ts';
import type { ListNotificationsDeps } from '../use-cases/list-notifications.ts';
import { lazyBucketPorts } from './cloud-bucket.ts';
import { cursorCodec, documentClient } from './cloud-ports.ts';
import { makeCloudRenderer } from './cloud-renderer.ts';
import { makeCloudWorkflows } from './cloud-workflows.ts';
import { loadLambdaConfig } from './lambda-config.ts';

/**
 * The run routes' deps in the cloud: run and notebook records in DynamoDB (a start reads the version's record,
 * never its body); run outputs and rendered pages in S3, the run workflow and the renderer, each loaded on the
 * first request that needs it; the role registry, which a run's role is checked against; the delivery log of
 * notifications (GET /notifications).
 */
export const makeRunRouteDeps = (config: Config): RunRouteDeps & ListNotificationsDeps => {
  const doc = documentClient(config);
  const bucket = lazyBucketPorts(config);
  return {
    notebooks: new DynamoDbNotebookStore(doc, config.table),
    runs: new DynamoDbRunStore(doc, config.table),
    // GET /runs?schedule= reads the schedule's fires, then their runs.
    schedules: new DynamoDbScheduleStore(doc, config.table),
    notificationLog: new DynamoDbNotificationLog(doc, config.table),
    runFiles: bucket.runFiles,
    renderCache: bucket.renderCache,
    renderer: makeCloudRenderer(),
    workflows: makeCloudWorkflows(config),
    clock: new SystemClock(),
    ids: new RandomIds(),
    cursors: cursorCodec(config),
    limits: config.limits,
    runSettings: config.runSettings,
    profiles: config.profiles,
    roles: config.roles,
  };
};

/** The runs function. */
export const makeRunsFunction = async (): Promise<ApiRouter> => {
  const config = await loadLambdaConfig();
  const deps = makeRunRouteDeps(config);
  const options = { claimNames: config.claimNames };
  return makeApiRouter({ ...makeRunHandlers(deps, options), ...makeNotificationHandlers(deps, options) });
};
