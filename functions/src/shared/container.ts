import type { Context } from 'aws-lambda';
import { NotFoundError } from '../domain/errors.ts';
import { makeDocumentClient, makeS3Client } from '../adapters/aws/clients.ts';
import { DynamoDbNotebookStore } from '../adapters/aws/dynamodb-notebook-store.ts';
import { S3BodyStore } from '../adapters/aws/s3-body-store.ts';
import { HmacCursorCodec } from '../adapters/system/hmac-cursor-codec.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import { makeNotebookHandlers } from '../handlers/http/notebook-handlers.ts';
import { makeHealthz, makeMe, makeOpenApi } from '../handlers/http/system-handlers.ts';
import { API_ROUTES, type RouteName } from '../handlers/http/api-routes.ts';
import type { FoliumDeps } from '../use-cases/folium-deps.ts';
import type { Config } from './config.ts';
import { errorBody } from './http/error-status.ts';
import type { ApiEvent, ApiResult, HttpOptions } from './http/http-handler.ts';
import { routeKey } from './http/route-spec.ts';

/** A Lambda-shaped HTTP handler. */
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** Wires the Folium ports to DynamoDB and S3 (real AWS, or the emulators when endpoints are set). */
export const makeFoliumDeps = (config: Config): FoliumDeps => {
  const local = !!(config.dynamoEndpoint || config.s3Endpoint);
  const clientOptions = { region: config.region, dynamoEndpoint: config.dynamoEndpoint, s3Endpoint: config.s3Endpoint, localCredentials: local };
  return {
    notebooks: new DynamoDbNotebookStore(makeDocumentClient(clientOptions), config.table),
    bodies: new S3BodyStore(makeS3Client(clientOptions), config.bucket),
    clock: new SystemClock(),
    ids: new RandomIds(),
    cursors: new HmacCursorCodec(config.cursorSecret),
    limits: config.limits,
  };
};

/** Every route's handler, by name. */
export const makeApiHandlers = (deps: FoliumDeps, options: HttpOptions): Record<RouteName, ApiHandler> => ({
  healthz: makeHealthz(options),
  openapi: makeOpenApi(options),
  me: makeMe(options),
  ...makeNotebookHandlers(deps, options),
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
