import { API_ROUTES, type RouteName } from '../handlers/http/api-routes.ts';
import { makeAdminHandlers } from '../handlers/http/admin-handlers.ts';
import { makeNotebookHandlers } from '../handlers/http/notebook-handlers.ts';
import { makeRunHandlers } from '../handlers/http/run-handlers.ts';
import { makeServerHandlers } from '../handlers/http/server-handlers.ts';
import { makeHealthz, makeMe, makeOpenApi } from '../handlers/http/system-handlers.ts';
import type { ApiHandler } from './api-router.ts';
import type { PlatformDeps } from './container.ts';
import type { HttpOptions } from './http/http-handler.ts';
import type { RouteGroup } from './http/route-spec.ts';

export type { ApiHandler } from './api-router.ts';

/** The system routes: liveness, the API description and the caller; they need only the profile registry. */
export const makeSystemHandlers = (deps: Pick<PlatformDeps, 'profiles'>, options: HttpOptions) => ({
  healthz: makeHealthz(options),
  openapi: makeOpenApi(options),
  me: makeMe(deps, options),
});

/**
 * Every route's handler, by name: what local mode serves from one process. The cloud's Lambdas do not come
 * through here: each route group has its own entry (`handlers/http/<group>-lambda.ts`) that imports only its
 * handlers and adapters, so one group's dependencies never weigh on another's cold start.
 */
export const makeApiHandlers = (deps: PlatformDeps, options: HttpOptions): Record<RouteName, ApiHandler> => ({
  ...makeSystemHandlers(deps, options),
  ...makeNotebookHandlers(deps, options),
  ...makeRunHandlers(deps, options),
  ...makeServerHandlers(deps, options),
  ...makeAdminHandlers(deps, options),
});

/** The names of one route group's routes. */
export const routesOf = (group: RouteGroup): RouteName[] => (Object.keys(API_ROUTES) as RouteName[]).filter((name) => API_ROUTES[name].group === group);
