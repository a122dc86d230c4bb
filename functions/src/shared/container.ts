import { SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { makeDocumentClient, makeS3Client } from '../adapters/aws/clients.ts';
import { DynamoDbNotebookStore } from '../adapters/aws/dynamodb-notebook-store.ts';
import { DynamoDbRunStore } from '../adapters/aws/dynamodb-run-store.ts';
import { S3BodyStore } from '../adapters/aws/s3-body-store.ts';
import { S3RunFiles } from '../adapters/aws/s3-run-files.ts';
import { StepFunctionsWorkflows } from '../adapters/aws/step-functions-workflows.ts';
import { HmacCursorCodec } from '../adapters/system/hmac-cursor-codec.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import { NotFoundError } from '../domain/errors.ts';
import { API_ROUTES, type RouteName } from '../handlers/http/api-routes.ts';
import { makeNotebookHandlers } from '../handlers/http/notebook-handlers.ts';
import { makeRunHandlers } from '../handlers/http/run-handlers.ts';
import { makeHealthz, makeMe, makeOpenApi } from '../handlers/http/system-handlers.ts';
import type { Workflows } from '../ports/workflows.ts';
import type { RunDeps } from '../use-cases/run-deps.ts';
import type { Config } from './config.ts';
import { errorBody } from './http/error-status.ts';
import type { ApiEvent, ApiResult, HttpOptions } from './http/http-handler.ts';
import { routeKey } from './http/route-spec.ts';

/** A Lambda-shaped HTTP handler. */
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/**
 * Wires the ports to DynamoDB, S3 (real AWS, or the emulators when endpoints are set) and the
 * given workflows: Step Functions in the cloud, the local ASL runner in local mode.
 */
export const makeRunDeps = (config: Config, workflows: Workflows): RunDeps => {
  const local = !!(config.dynamoEndpoint || config.s3Endpoint);
  const clientOptions = { region: config.region, dynamoEndpoint: config.dynamoEndpoint, s3Endpoint: config.s3Endpoint, localCredentials: local };
  const doc = makeDocumentClient(clientOptions);
  const s3 = makeS3Client(clientOptions);
  return {
    notebooks: new DynamoDbNotebookStore(doc, config.table),
    bodies: new S3BodyStore(s3, config.bucket),
    runs: new DynamoDbRunStore(doc, config.table),
    runFiles: new S3RunFiles(s3, config.bucket),
    workflows,
    clock: new SystemClock(),
    ids: new RandomIds(),
    cursors: new HmacCursorCodec(config.cursorSecret),
    limits: config.limits,
    runSettings: config.runSettings,
  };
};

/** The cloud's workflows: the state machines CDK deployed. */
export const makeCloudWorkflows = (config: Config): Workflows => {
  const { run, stopRun } = config.stateMachines;
  if (!run || !stopRun) throw new Error('configuration: set ORRERY_RUN_STATE_MACHINE_ARN and ORRERY_STOP_RUN_STATE_MACHINE_ARN');
  return new StepFunctionsWorkflows(new SFNClient({ region: config.region }), run, stopRun);
};

/** Every route's handler, by name. */
export const makeApiHandlers = (deps: RunDeps, options: HttpOptions): Record<RouteName, ApiHandler> => ({
  healthz: makeHealthz(options),
  openapi: makeOpenApi(options),
  me: makeMe({ runProfiles: Object.keys(deps.runSettings.profiles) }, options),
  ...makeNotebookHandlers(deps, options),
  ...makeRunHandlers(deps, options),
});

/** One Lambda handler that dispatches by API Gateway route key to the handlers of the given routes. */
export const makeApiRouter = (handlers: Partial<Record<RouteName, ApiHandler>>): ApiHandler => {
  const byKey = new Map(Object.entries(handlers).map(([name, h]) => [routeKey(API_ROUTES[name as RouteName]), h as ApiHandler]));
  return async (event, context) => {
    const handler = byKey.get(event.routeKey);
    if (handler) return handler(event, context);
    return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify(errorBody(new NotFoundError(`no route ${event.routeKey}`), event.requestContext.requestId)) };
  };
};
