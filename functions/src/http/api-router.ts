import type { Context } from 'aws-lambda';
import { NotFoundError } from '../domain/errors.ts';
import { API_ROUTES, type RouteName } from '../contracts/api-routes.ts';
import { errorBody } from './error-status.ts';
import { API_ANSWER_HEADERS } from './request-lifecycle.ts';
import type { ApiEvent, ApiHandler, ApiResult } from './api-event.ts';
import { routeKey } from '../contracts/route-spec.ts';

/** A Lambda handler for some routes, and the names of the routes it serves. */
export type ApiRouter = ApiHandler & { readonly routes: readonly RouteName[] };

/** One Lambda handler that dispatches by API Gateway route key to the handlers of the given routes. */
export const makeApiRouter = (handlers: Partial<Record<RouteName, ApiHandler>>): ApiRouter => {
  const byKey = new Map(
    Object.entries(handlers).map(([name, h]) => [routeKey(API_ROUTES[name as RouteName]), h as ApiHandler]),
  );
  const router = async (event: ApiEvent, context: Context): Promise<ApiResult> => {
    const handler = byKey.get(event.routeKey);
    if (handler) return handler(event, context);
    return {
      statusCode: 404,
      headers: { 'content-type': 'application/json', ...API_ANSWER_HEADERS },
      body: JSON.stringify(errorBody(new NotFoundError(`no route ${event.routeKey}`), event.requestContext.requestId)),
    };
  };
  return Object.assign(router, { routes: Object.keys(handlers) as RouteName[] });
};
