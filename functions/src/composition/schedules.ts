import { DynamoDbNotebookStore } from '../adapters/aws/dynamodb-notebook-store.ts';
import { DynamoDbRunStore } from '../adapters/aws/dynamodb-run-store.ts';
import { DynamoDbScheduleStore } from '../adapters/aws/dynamodb-schedule-store.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { Config } from '../config/config.ts';
import { makeScheduleHandlers } from '../handlers/http/schedule-handlers.ts';
import { makeFireHandler } from '../handlers/scheduled/fire-schedule-handler.ts';
import { makeApiRouter, type ApiRouter } from '../http/api-router.ts';
import { emitMetrics } from '../observability/metrics.ts';
import type { RunEndDeps } from './schedule-hooks.ts';
import { cursorCodec, documentClient, makeNotifier, notifyDestinationNames } from './cloud-ports.ts';
import { makeCloudScheduleCalendar } from './cloud-schedule-calendar.ts';
import { makeCloudWorkflows } from './cloud-workflows.ts';
import { loadLambdaConfig } from './lambda-config.ts';

/**
 * The schedules' deps in the cloud: schedule, run and notebook records in DynamoDB, EventBridge Scheduler as the
 * calendar, the run workflow (a fire starts a run), the notifier and its named destinations, the registries.
 */
export const makeScheduleDeps = (config: Config): RunEndDeps => {
  const doc = documentClient(config);
  return {
    notebooks: new DynamoDbNotebookStore(doc, config.table),
    runs: new DynamoDbRunStore(doc, config.table),
    schedules: new DynamoDbScheduleStore(doc, config.table),
    calendar: makeCloudScheduleCalendar(config),
    workflows: makeCloudWorkflows(config),
    notifier: makeNotifier(config),
    destinations: notifyDestinationNames(config),
    notifySettings: config.notify,
    scheduleSettings: config.scheduleSettings,
    clock: new SystemClock(),
    ids: new RandomIds(),
    runSettings: config.runSettings,
    profiles: config.profiles,
    roles: config.roles,
  };
};

/** The schedules function: the schedule routes, with list cursors. */
export const makeSchedulesFunction = async (): Promise<ApiRouter> => {
  const config = await loadLambdaConfig();
  const deps = { ...makeScheduleDeps(config), cursors: cursorCodec(config) };
  return makeApiRouter(makeScheduleHandlers(deps, { claimNames: config.claimNames }));
};

/** The fire function: EventBridge Scheduler's target, with metrics in the log. */
export const makeFireFunction = async (): Promise<ReturnType<typeof makeFireHandler>> =>
  makeFireHandler(makeScheduleDeps(await loadLambdaConfig()), emitMetrics);
