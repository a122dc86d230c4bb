import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

// The event and result types every part of the HTTP layer shares, in a module of their own so that the
// middleware, the validator and the router need not import the handler factory that imports them.

/** The API Gateway v2 event with the JWT authorizer's claims, as Lambda and the local server build it. */
export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
/** The structured result handlers return. */
export type ApiResult = APIGatewayProxyStructuredResultV2;
/** A Lambda-shaped HTTP handler. */
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;
