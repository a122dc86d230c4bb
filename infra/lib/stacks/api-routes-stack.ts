import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  type HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  type IHttpApi,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Construct } from 'constructs';
import { API_ROUTES, routeKey, routesOf } from '#functions/contracts';
import type { InfraConfig } from '../config.ts';
import { capitalize } from '../names.ts';
import { type ApiStack, ROUTE_GROUPS } from './api-stack.ts';

/** Whose tokens the API accepts: the issuer and the audiences its JWT authorizer checks. */
export interface JwtTrust {
  issuer: string;
  audience: string[];
}

/** What the API routes stack needs. */
export interface ApiRoutesStackProps extends StackProps {
  /** The stage's throttles (`api.throttle`, `api.activityThrottle`). */
  config: InfraConfig;
  /** The HTTP API and its route-group functions. */
  api: ApiStack;
  /** Cognito: the pool's issuer and the portal client's id (made in the web stack); OIDC: the configured ones. */
  jwt: JwtTrust;
}

/**
 * The routes without a JWT that machines call with a token of their own (activity reports, the credentials servers
 * of servers and runs, JupyterLab's calls for the owner under /servers/{name}/lab): anyone may send to them, so each
 * gets the lower `api.activityThrottle` and a flood of one leaves the signed-in routes their own limits.
 */
export const TOKEN_ROUTE_KEYS = Object.values(API_ROUTES)
  .filter(
    (spec) => !spec.auth && (('serverToken' in spec && spec.serverToken) || ('runToken' in spec && spec.runToken)),
  )
  .map(routeKey);

/**
 * The route groups with at least one route: each gets one integration. A group can exist before its routes do (its
 * function deployed, its routes still being written); an integration nothing routes to would only be noise.
 */
export const SERVED_GROUPS = ROUTE_GROUPS.filter((group) => routesOf(group).length > 0);

/**
 * The API's routes, their Lambda integrations, the JWT authorizer and the `api` stage, on the HttpApi of the API
 * stack. A stack of its own, deployed after the web stack: the authorizer's audience is the portal's Cognito client,
 * whose callback URL is only known once the CloudFront distribution exists. The stage (auto-deployed) comes after
 * the routes because its per-route throttle names one, and API Gateway refuses settings for a route it lacks.
 */
export class ApiRoutesStack extends Stack {
  constructor(scope: Construct, id: string, props: ApiRoutesStackProps) {
    super(scope, id, props);
    const { api, jwt, config } = props;
    // Imported by id: a route's authorizer is made in the HttpApi construct's scope, which must be this stack
    // (under the API stack's HttpApi it would point the API stack at the web stack's client: a cycle).
    const httpApi = HttpApi.fromHttpApiAttributes(this, 'HttpApi', { httpApiId: api.httpApi.apiId });
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', jwt.issuer, { jwtAudience: jwt.audience });
    const integrations = Object.fromEntries(
      SERVED_GROUPS.map((group) => [
        group,
        new HttpLambdaIntegration(`${capitalize(group)}Integration`, api.functions[group]),
      ]),
    );
    const routes: Record<string, HttpRoute> = {};
    for (const [name, spec] of Object.entries(API_ROUTES)) {
      const route = new HttpRoute(this, `Route${capitalize(name)}`, {
        httpApi,
        routeKey: HttpRouteKey.with(spec.path, spec.method as HttpMethod),
        integration: integrations[spec.group]!,
        ...(spec.auth ? { authorizer } : {}),
      });
      routes[routeKey(spec)] = route;
      if (!spec.auth) {
        const why =
          'serverToken' in spec && spec.serverToken
            ? "a server calls it with its own launch's token, which the handler verifies before anything else"
            : 'runToken' in spec && spec.runToken
              ? "a run's runner fetches its keys with the run's own token, which the handler verifies"
              : 'public by design (liveness probe or the API description), returns no user data';
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `No JWT authorizer on ${spec.method} ${spec.path}: ${why}.`,
        });
      }
    }
    const stage = this.addStage(httpApi, api, config);
    for (const key of TOKEN_ROUTE_KEYS) stage.node.addDependency(routes[key]!);
  }

  /**
   * The one stage, `api` (no default stage, so paths match what CloudFront forwards: /api/*), with JSON access logs,
   * the default route throttle, and the activity route's own: it takes no JWT, so anyone may flood it, and its
   * bucket of its own keeps such a flood from costing the servers function more than that route's rate.
   */
  private addStage(httpApi: IHttpApi, api: ApiStack, config: InfraConfig): HttpStage {
    const format = {
      requestId: '$context.requestId',
      route: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
      user: '$context.authorizer.claims.sub',
      ip: '$context.identity.sourceIp',
      error: '$context.error.message',
      integrationError: '$context.integrationErrorMessage',
    };
    const stage = new HttpStage(this, 'ApiStage', {
      httpApi,
      stageName: 'api',
      autoDeploy: true,
      throttle: { burstLimit: config.api.throttle.burstLimit, rateLimit: config.api.throttle.rateLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(api.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(format)),
      },
    });
    const { rateLimit, burstLimit } = config.api.activityThrottle;
    (stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      TOKEN_ROUTE_KEYS.map((key) => [key, { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit }]),
    );
    return stage;
  }
}
