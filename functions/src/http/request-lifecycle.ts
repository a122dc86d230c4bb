import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { log } from '../observability/logger.ts';
import { errorBody, statusOf } from './error-status.ts';
import type { ApiEvent, ApiResult } from './api-event.ts';

const started = new WeakMap<object, number>();

/** Headers on every API answer, JSON and errors included: browsers must never sniff an answer into HTML. */
export const API_ANSWER_HEADERS = { 'x-content-type-options': 'nosniff' } as const;

/** Request id and nosniff on every response, one access log line per request, and the error mapping. */
export const requestLifecycle = (): MiddlewareObj<ApiEvent, ApiResult, Error, Context> => ({
  before: (request) => {
    started.set(request, performance.now());
  },
  after: (request) => {
    const id = request.event.requestContext.requestId;
    const response = request.response ?? { statusCode: 204 };
    request.response = { ...response, headers: { ...response.headers, ...API_ANSWER_HEADERS, 'x-request-id': id } };
    access(request.event, request.response.statusCode ?? 200, started.get(request));
  },
  onError: (request) => {
    const id = request.event.requestContext.requestId;
    const status = statusOf(request.error);
    if (status >= 500)
      log('error', 'request failed', {
        requestId: id,
        error: request.error?.name,
        detail: request.error?.message,
        stack: request.error?.stack,
      });
    request.response = {
      statusCode: status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...API_ANSWER_HEADERS, 'x-request-id': id },
      body: JSON.stringify(errorBody(request.error, id)),
    };
    access(request.event, status, started.get(request), request.error);
  },
});

const access = (event: ApiEvent, status: number, start: number | undefined, error?: Error | null) =>
  log(status >= 500 ? 'error' : 'info', 'request', {
    requestId: event.requestContext.requestId,
    route: event.routeKey,
    path: event.rawPath,
    status,
    ms: start === undefined ? undefined : Math.round((performance.now() - start) * 10) / 10,
    user: event.requestContext.authorizer?.jwt?.claims?.sub,
    ...(error && status < 500 ? { error: (error as { code?: string }).code } : {}),
  });
