import middy from '@middy/core';
import { stringify } from 'lossless-json';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { ValidationError } from '../domain/errors.ts';
import { DEFAULT_CLAIM_NAMES, refusedGroups, userFromClaims, type ClaimNames, type User } from '../domain/user.ts';
import { log } from '../observability/logger.ts';
import type { ApiEvent, ApiResult } from './api-event.ts';
import type { HttpResult } from './responses.ts';
import type { RouteSpec } from '../contracts/route-spec.ts';
import { requestLifecycle } from './request-lifecycle.ts';
import { parseExactJson, parseJsonBody, rawBody, validate } from './validate.ts';
import { verifiedClaims } from './verified-claims.ts';

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

/** What a route's function receives: validated input and the caller. */
export interface RouteInput<B, Q, P, A extends boolean> {
  body: Infer<B>;
  query: Infer<Q>;
  params: Infer<P>;
  user: A extends true ? User : null;
  /** Request headers, lowercased as API Gateway passes them. */
  headers: Record<string, string | undefined>;
  requestId: string;
}

/** Options every HTTP handler shares (from configuration). */
export interface HttpOptions {
  claimNames?: ClaimNames;
}

/**
 * Wraps a route's function in the shared middy chain: request id and logging, JSON parsing,
 * zod validation, claims to user, and error mapping (the lifecycle's onError runs last).
 */
export const httpHandler = <
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  P extends z.ZodType | undefined,
  A extends boolean,
>(
  spec: RouteSpec<B, Q, P, A>,
  fn: (input: RouteInput<B, Q, P, A>) => Promise<HttpResult>,
  options: HttpOptions = {},
) =>
  middy<ApiEvent, ApiResult, Error, Context>()
    .use(requestLifecycle())
    .handler(async (event) => {
      const user = spec.auth ? callerOf(event, options.claimNames ?? DEFAULT_CLAIM_NAMES) : null;
      const body = spec.body ? validate('body', spec.body, parseJsonBody(event)) : undefined;
      if (spec.exactNumbersIn && body && (body as Record<string, unknown>)[spec.exactNumbersIn] !== undefined) {
        (body as Record<string, unknown>)[spec.exactNumbersIn] = (
          parseExactJson(rawBody(event)) as Record<string, unknown>
        )[spec.exactNumbersIn];
      }
      const query = spec.query ? validate('query', spec.query, event.queryStringParameters ?? {}) : undefined;
      const params = spec.params ? validate('path', spec.params, event.pathParameters ?? {}) : undefined;
      if (!spec.body && event.body && event.body.trim() && spec.method !== 'GET') {
        throw new ValidationError(`${spec.method} ${spec.path} takes no body`);
      }
      const result = await fn({
        body,
        query,
        params,
        user,
        headers: event.headers ?? {},
        requestId: event.requestContext.requestId,
      } as RouteInput<B, Q, P, A>);
      return toApiResult(result);
    });

// Groups come from the verified token's payload, never from the authorizer's flattened strings (see
// verified-claims.ts).
const callerOf = (event: ApiEvent, names: ClaimNames): User => {
  const claims = verifiedClaims(event);
  const refused = refusedGroups(claims[names.teams]);
  if (refused.length) {
    log('warn', 'group names refused', {
      requestId: event.requestContext.requestId,
      claim: names.teams,
      refused: refused.slice(0, 20),
    });
  }
  return userFromClaims(claims, names);
};

/** Turns a route's result into the API Gateway structured result. */
export const toApiResult = (result: HttpResult): ApiResult => {
  if (result.text !== undefined) return { statusCode: result.status, headers: result.headers, body: result.text };
  return {
    statusCode: result.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...result.headers },
    body: result.body === undefined ? '' : toJson(result.body),
  };
};

// JSON.stringify refuses bigint (exact run parameters); lossless-json writes it as a plain number.
const toJson = (value: unknown): string => {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return stringify(value) ?? 'null';
  }
};
