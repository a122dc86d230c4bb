import type { Context } from 'aws-lambda';
import { NotFoundError } from '../domain/errors.ts';
import { API_ROUTES, type RouteName } from '../handlers/http/api-routes.ts';
import { makeAdminHandlers } from '../handlers/http/admin-handlers.ts';
import { makeNotebookHandlers } from '../handlers/http/notebook-handlers.ts';
import { makeRunHandlers } from '../handlers/http/run-handlers.ts';
import { makeServerHandlers } from '../handlers/http/server-handlers.ts';
import { makeHealthz, makeMe, makeOpenApi } from '../handlers/http/system-handlers.ts';
import type { PlatformDeps } from './container.ts';
import { errorBody } from './http/error-status.ts';
import type { ApiEvent, ApiResult, HttpOptions } from './http/http-handler.ts';
import { routeKey } from './http/route-spec.ts';

/** A Lambda-shaped HTTP handler. */
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** Every route's handler, by name. */
export const makeApiHandlers = (deps: PlatformDeps, options: HttpOptions): Record<RouteName, ApiHandler> => ({
  healthz: makeHealthz(options),
  openapi: makeOpenApi(options),
  me: makeMe(deps, options),
  ...makeNotebookHandlers(deps, options),
  ...makeRunHandlers(deps, options),
  ...makeServerHandlers(deps, options),
  ...makeAdminHandlers(deps, options),
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
