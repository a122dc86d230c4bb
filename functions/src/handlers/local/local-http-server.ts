import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWTPayload } from 'jose';
import { API_ROUTES } from '../../contracts/api-routes.ts';
import type { RouteSpec } from '../../contracts/route-spec.ts';
import {
  AppError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
  NotFoundError,
} from '../../domain/errors.ts';
import type { ApiHandler, ApiResult } from '../../http/api-event.ts';
import { errorBody, statusOf } from '../../http/error-status.ts';
import { API_ANSWER_HEADERS } from '../../http/request-lifecycle.ts';
import { matchRoute } from '../../http/route-match.ts';
import { log } from '../../observability/logger.ts';
import { LOGIN_PAGE, LOGIN_PAGE_CSP } from './login-page.ts';
import type { PortalFiles } from './portal-files.ts';
import { buildApiEvent, claimsAsAuthorizerPasses } from './request-event.ts';

/** Where the API lives in local mode; the cloud's HTTP API serves the same routes at its own root. */
export const API_PREFIX = '/api';

/** What the local server needs: the very handlers Lambda runs, and the local issuer in place of the authorizer. */
export interface LocalServerDeps {
  handlers: Record<string, ApiHandler>;
  /** Checks a bearer token as the HTTP API's JWT authorizer would (the local issuer). */
  issuer: { verify(token: string): Promise<JWTPayload> };
  /** Redeems one-time login codes and issues the tokens they are exchanged for (the local user directory). */
  users: { redeemLoginCode(code: string, now: Date): string | null; tokenFor(id: string): Promise<string> };
  /** Largest request body read; API Gateway's own limit is 10 MB. */
  maxBodyBytes: number;
  /** The built portal; while it is not built, `/` and `/login` serve the plain sign-in page instead. */
  portal?: PortalFiles;
}

const SPECS = Object.values(API_ROUTES) as RouteSpec[];
const NAME_OF = new Map(Object.entries(API_ROUTES).map(([name, spec]) => [`${spec.method} ${spec.path}`, name]));

const readBody = (req: IncomingMessage, max: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const tooLarge = () =>
      new PayloadTooLargeError(
        `the request body is over ${max} bytes; ` +
          'send large notebooks through an upload URL (POST /notebooks/{id}/uploads)',
      );
    if (Number(req.headers['content-length'] ?? 0) > max) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const send = (res: ServerResponse, result: ApiResult, requestId: string) => {
  const body =
    result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), 'x-request-id': requestId });
  res.end(body);
};

const sendError = (res: ServerResponse, err: unknown, requestId: string, extra: Record<string, string> = {}) => {
  const status = statusOf(err);
  if (status >= 500) log('error', 'local server error', { requestId, error: (err as Error)?.stack });
  send(
    res,
    {
      statusCode: status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...API_ANSWER_HEADERS, ...extra },
      body: JSON.stringify(errorBody(err, requestId)),
    },
    requestId,
  );
};

const bearer = (req: IncomingMessage): string => {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) throw new UnauthorizedError();
  return match[1]!;
};

/**
 * The request listener of local mode: API routes become API Gateway events, plus the portal (or the login page) and
 * code exchange.
 */
export const makeLocalRequestListener =
  (deps: LocalServerDeps) => async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://local');
    const rawPath = (req.url ?? '/').split('?')[0]!;
    try {
      if (rawPath === API_PREFIX || rawPath.startsWith(`${API_PREFIX}/`))
        return await serveApi(deps, req, res, rawPath.slice(API_PREFIX.length) || '/', url.searchParams, requestId);
      if (req.method === 'POST' && rawPath === '/auth/local/exchange')
        return await exchangeCode(deps, req, res, requestId);
      if (req.method === 'GET' || req.method === 'HEAD') return servePage(deps, res, rawPath, requestId);
      throw new NotFoundError(
        `nothing at ${req.method} ${rawPath}; the API is under ${API_PREFIX}/ (see ${API_PREFIX}/openapi.json)`,
      );
    } catch (err) {
      sendError(res, err, requestId, err instanceof UnauthorizedError ? { 'www-authenticate': 'Bearer' } : {});
    }
  };

// Node sends no body for HEAD by itself; the length says what GET would send.
const sendPage = (
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string,
  requestId: string,
) => {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)), 'x-request-id': requestId });
  res.end(body);
};

const servePage = (deps: LocalServerDeps, res: ServerResponse, rawPath: string, requestId: string) => {
  if (deps.portal?.built() && !rawPath.startsWith('/auth/local/')) {
    const { status, headers, body } = deps.portal.respond(rawPath);
    return sendPage(res, status, headers, body, requestId);
  }
  if (rawPath === '/login' || rawPath === '/') {
    return sendPage(
      res,
      200,
      {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': LOGIN_PAGE_CSP,
        'cache-control': 'no-store',
      },
      LOGIN_PAGE,
      requestId,
    );
  }
  throw new NotFoundError(`nothing at ${rawPath}; the API is under ${API_PREFIX}/ (see ${API_PREFIX}/openapi.json)`);
};

const serveApi = async (
  deps: LocalServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  requestId: string,
) => {
  const match = matchRoute(SPECS, req.method ?? 'GET', path);
  if (!match || match === 'method')
    throw new NotFoundError(
      `no route ${req.method} ${path}${match === 'method' ? ' (the path takes other methods)' : ''}; ` +
        `see ${API_PREFIX}/openapi.json`,
    );
  const claims = match.spec.auth ? claimsAsAuthorizerPasses(await deps.issuer.verify(bearer(req))) : null;
  const body = await readBody(req, deps.maxBodyBytes);
  const event = buildApiEvent({
    req,
    path,
    query,
    routeKey: match.routeKey,
    pathParameters: match.pathParameters,
    claims,
    body,
    requestId,
  });
  const handler = deps.handlers[NAME_OF.get(match.routeKey)!]!;
  send(res, await handler(event, { awsRequestId: requestId } as never), requestId);
};

const exchangeCode = async (deps: LocalServerDeps, req: IncomingMessage, res: ServerResponse, requestId: string) => {
  let code: unknown;
  try {
    code = JSON.parse((await readBody(req, 4096)).toString('utf8')).code;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new ValidationError('send {"code": "<the code from the login link>"}');
  }
  const user = typeof code === 'string' ? deps.users.redeemLoginCode(code, new Date()) : null;
  if (!user)
    throw new UnauthorizedError(
      'this login link was already used or has expired; restart `npm start` or run `npm run token -- <user>`',
    );
  const token = await deps.users.tokenFor(user);
  send(
    res,
    {
      statusCode: 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        ...API_ANSWER_HEADERS,
      },
      body: JSON.stringify({ user, token }),
    },
    requestId,
  );
};
