import type { z } from 'zod';

/** Which Lambda serves a route in the cloud; local mode serves every group from one process. */
export type RouteGroup = 'system' | 'notebooks' | 'runs' | 'servers' | 'admin' | 'credentials' | 'schedules';

/** One route of the HTTP API: the schemas that validate it are the ones the OpenAPI document shows. */
export interface RouteSpec<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  P extends z.ZodType | undefined = z.ZodType | undefined,
  A extends boolean = boolean,
  R extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  path: string;
  group: RouteGroup;
  summary: string;
  /** false for routes without a user's JWT: anyone (health, the API description) or a server with its own token. */
  auth: A;
  /** The route takes a server token instead of a JWT (no JWT authorizer in front; the use case checks it). */
  serverToken?: boolean;
  /** The route takes a run token (a runner's own) instead of a JWT, checked by the use case as a server token is. */
  runToken?: boolean;
  body?: B;
  query?: Q;
  params?: P;
  /** The success status and the schema of what it returns (documentation only). */
  status: number;
  response?: R;
  /** A non-JSON success response, such as text/html. */
  produces?: string;
  /**
   * The error statuses its use case can answer, besides those of the shared chain: 400 for input that fails the
   * schemas, 401 without credentials, 413 for a body over the size limit (documentation only: docs/api.md).
   */
  errors?: readonly number[];
  /** A body field whose numbers must arrive exactly as written (run parameters), not as JS numbers. */
  exactNumbersIn?: string;
}

/** Declares a route, keeping its schemas' types for the handler and the portal's typed client. */
export const route = <
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  A extends boolean = boolean,
  R extends z.ZodType | undefined = undefined,
>(
  spec: RouteSpec<B, Q, P, A, R>,
): RouteSpec<B, Q, P, A, R> => spec;

/** The API Gateway route key of a spec, e.g. `GET /notebooks/{id}`. */
export const routeKey = (spec: Pick<RouteSpec, 'method' | 'path'>): string => `${spec.method} ${spec.path}`;
