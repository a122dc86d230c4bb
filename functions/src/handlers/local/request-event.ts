import type { IncomingMessage } from 'node:http';
import type { JWTPayload } from 'jose';
import type { ApiEvent } from '../../http/api-event.ts';

/**
 * The HTTP API JWT authorizer hands claims over as strings; arrays become `[a b]`. Local mode does the same, and
 * like the cloud the handlers read typed claims (groups) from the verified token in the Authorization header,
 * which the event carries unchanged: one code path, see http/verified-claims.ts.
 */
export const claimsAsAuthorizerPasses = (payload: JWTPayload): Record<string, string> =>
  Object.fromEntries(
    Object.entries(payload).map(([k, v]) => [
      k,
      Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v),
    ]),
  );

const TEXT = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/i;

/** Builds the API Gateway v2 (payload 2.0) event for one request, as the HTTP API would. */
export const buildApiEvent = (input: {
  req: IncomingMessage;
  path: string;
  query: URLSearchParams;
  routeKey: string;
  pathParameters: Record<string, string>;
  claims: Record<string, string> | null;
  body: Buffer;
  requestId: string;
}): ApiEvent => {
  const { req } = input;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const queryStringParameters: Record<string, string> = {};
  for (const [k, v] of input.query)
    queryStringParameters[k] = k in queryStringParameters ? `${queryStringParameters[k]},${v}` : v;
  const text = TEXT.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.path,
    rawQueryString: input.query.toString(),
    headers,
    queryStringParameters: Object.keys(queryStringParameters).length ? queryStringParameters : undefined,
    pathParameters: Object.keys(input.pathParameters).length ? input.pathParameters : undefined,
    body: input.body.length ? (text ? input.body.toString('utf8') : input.body.toString('base64')) : undefined,
    isBase64Encoded: input.body.length > 0 && !text,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: input.path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: input.claims ?? {}, scopes: [] } },
    },
  } as ApiEvent;
};
