import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { HttpApi, type HttpMethod, HttpRoute, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Construct } from 'constructs';
import { API_ROUTES } from '../../../functions/src/handlers/http/api-routes.ts';
import { capitalize } from '../names.ts';
import { type ApiStack, ROUTE_GROUPS } from './api-stack.ts';

/** Whose tokens the API accepts: the issuer and the audiences its JWT authorizer checks. */
export interface JwtTrust {
  issuer: string;
  audience: string[];
}

/** What the API routes stack needs. */
export interface ApiRoutesStackProps extends StackProps {
  /** The HTTP API and its route-group functions. */
  api: ApiStack;
  /** Cognito: the pool's issuer and the portal client's id (made in the web stack); OIDC: the configured ones. */
  jwt: JwtTrust;
}

/**
 * The API's routes, their Lambda integrations and the JWT authorizer, on the HttpApi of the API stack. A stack of
 * its own, deployed after the web stack: the authorizer's audience is the portal's Cognito client, whose callback
 * URL is only known once the CloudFront distribution exists. The `api` stage deploys new routes by itself.
 */
export class ApiRoutesStack extends Stack {
  constructor(scope: Construct, id: string, props: ApiRoutesStackProps) {
    super(scope, id, props);
    const { api, jwt } = props;
    // Imported by id: a route's authorizer is made in the HttpApi construct's scope, which must be this stack
    // (under the API stack's HttpApi it would point the API stack at the web stack's client: a cycle).
    const httpApi = HttpApi.fromHttpApiAttributes(this, 'HttpApi', { httpApiId: api.httpApi.apiId });
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', jwt.issuer, { jwtAudience: jwt.audience });
    const integrations = Object.fromEntries(ROUTE_GROUPS.map((group) => [group, new HttpLambdaIntegration(`${capitalize(group)}Integration`, api.functions[group])]));
    for (const [name, spec] of Object.entries(API_ROUTES)) {
      const route = new HttpRoute(this, `Route${capitalize(name)}`, {
        httpApi,
        routeKey: HttpRouteKey.with(spec.path, spec.method as HttpMethod),
        integration: integrations[spec.group]!,
        ...(spec.auth ? { authorizer } : {}),
      });
      if (!spec.auth) {
        const why = 'serverToken' in spec && spec.serverToken ? 'server pods report activity with their own server token, which the handler verifies' : 'public by design (liveness probe or the API description), returns no user data';
        Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: `No JWT authorizer on ${spec.method} ${spec.path}: ${why}.` });
      }
    }
  }
}
