import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '#functions/contracts';
import { SERVED_GROUPS } from '../lib/stacks/api-routes-stack.ts';
import {
  exampleConfig,
  findingsFor,
  oidcConfig,
  render,
  resourcesOf,
  synthDataAndApi,
  synthFailure,
} from './support-api.ts';

/** The routes a machine calls with a token of its own: activity, the two credentials servers, and JupyterLab's and the notebook's Spark helper's. */
const TOKEN_ROUTES = [
  'POST /servers/{name}/activity',
  'POST /servers/{name}/credentials',
  'POST /runs/{id}/credentials',
  'GET /servers/{name}/lab/server',
  'POST /servers/{name}/lab/keepalive',
  'POST /servers/{name}/lab/shutdown',
  'PUT /servers/{name}/lab/role',
  'GET /servers/{name}/lab/roles',
  'GET /servers/{name}/lab/notebooks',
  'GET /servers/{name}/lab/notebooks/{id}/versions',
  'GET /servers/{name}/lab/notebooks/{id}/versions/{v}',
  'POST /servers/{name}/lab/notebooks',
  'POST /servers/{name}/lab/notebooks/{id}/versions',
  'GET /servers/{name}/lab/tables',
  'POST /servers/{name}/lab/spark/preview',
  'POST /servers/{name}/lab/spark/sessions',
  'GET /servers/{name}/lab/spark/sessions',
  'DELETE /servers/{name}/lab/spark/sessions/{id}',
];

type Route = { RouteKey: string; AuthorizationType?: string; AuthorizerId?: unknown; Target: unknown };
type Stage = {
  StageName: string;
  AutoDeploy: boolean;
  ApiId: unknown;
  DefaultRouteSettings: Record<string, number>;
  RouteSettings?: Record<string, Record<string, number>>;
  AccessLogSettings: { Format: string; DestinationArn: unknown };
};

/** The one stage of a routes template, with the logical ids it waits for. */
const stageOf = (template: Template): { properties: Stage; dependsOn: string[] } => {
  const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
  expect(stages).toHaveLength(1);
  return {
    properties: stages[0]!.Properties as Stage,
    dependsOn: (stages[0]!.DependsOn as string[] | undefined) ?? [],
  };
};

/** The rendered import of another stack's export of `Ref` (or `Fn::GetAtt …Arn`) of a construct's resource. */
const importOf = (stack: Stack, construct: IConstruct, attribute: 'Ref' | 'Arn' = 'Ref'): RegExp => {
  const id = stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const name = attribute === 'Ref' ? `Ref${id}` : `FnGetAtt${id}Arn`;
  return new RegExp(`^\\$\\{Import:${stack.stackName}:ExportsOutput${name}[0-9A-F]{8}\\}$`);
};

const routesOf = (template: Template): Route[] =>
  Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties as unknown as Route);

describe('the API routes stack', () => {
  let synthesized: ReturnType<typeof synthDataAndApi>;
  beforeAll(() => {
    synthesized = synthDataAndApi();
  });

  it('puts the JWT authorizer on every route except the ones marked auth: false', () => {
    // Prepare
    const routes = routesOf(synthesized.routes);

    // Act
    const byKey = new Map(routes.map((route) => [route.RouteKey, route]));

    // Assess
    expect(routes).toHaveLength(Object.keys(API_ROUTES).length);
    expect(
      Object.values(API_ROUTES)
        .filter((spec) => !spec.auth)
        .map((spec) => `${spec.method} ${spec.path}`)
        .sort(),
    ).toEqual(['GET /healthz', 'GET /openapi.json', ...TOKEN_ROUTES].sort());
    for (const spec of Object.values(API_ROUTES)) {
      const route = byKey.get(`${spec.method} ${spec.path}`);
      expect(route, `${spec.method} ${spec.path}`).toBeDefined();
      if (spec.auth)
        expect(route).toMatchObject({
          AuthorizationType: 'JWT',
          AuthorizerId: { Ref: synthesized.routes.getResourceId('AWS::ApiGatewayV2::Authorizer') },
        });
      else expect(route?.AuthorizationType ?? 'NONE').toBe('NONE');
    }
  });

  it('adds the routes to the API stack’s HTTP API, which keeps none of its own', () => {
    // Prepare
    const { api, routes, stacks } = synthesized;

    // Act
    const apiIds = Object.values(resourcesOf(routes, 'AWS::ApiGatewayV2::Route')).map((route) =>
      render(route.Properties.ApiId),
    );

    // Assess
    api.resourceCountIs('AWS::ApiGatewayV2::Route', 0);
    api.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    expect(apiIds).toHaveLength(Object.keys(API_ROUTES).length);
    for (const id of apiIds) expect(id).toMatch(importOf(stacks.api, stacks.api.httpApi));
  });

  it('sends every route to the function of its group', () => {
    // Prepare
    const { routes, stacks } = synthesized;
    const integrations = resourcesOf(routes, 'AWS::ApiGatewayV2::Integration');

    // Act
    const targets = routesOf(routes).map((route) => ({
      key: route.RouteKey,
      uri: render(
        integrations[render(route.Target).replace(/^integrations\/\$\{Ref:(.+)\}$/, '$1')]?.Properties.IntegrationUri,
      ),
    }));

    // Assess
    // One integration per group that serves routes (a group's function may be deployed before its routes exist).
    const routed = new Set(Object.values(API_ROUTES).map((spec) => spec.group));
    expect([...SERVED_GROUPS].sort()).toEqual([...routed].sort());
    expect(Object.keys(integrations)).toHaveLength(routed.size);
    for (const spec of Object.values(API_ROUTES)) {
      expect(targets.find((t) => t.key === `${spec.method} ${spec.path}`)?.uri, `${spec.method} ${spec.path}`).toMatch(
        importOf(stacks.api, stacks.api.functions[spec.group], 'Arn'),
      );
    }
  });

  it('serves one stage named api, after the routes, with the default throttle, JSON access logs into the API stack’s group', () => {
    // Prepare
    const { routes, stacks } = synthesized;

    // Act
    const { properties: stage } = stageOf(routes);

    // Assess
    expect(stage.StageName).toBe('api');
    expect(stage.AutoDeploy).toBe(true);
    expect(render(stage.ApiId)).toMatch(importOf(stacks.api, stacks.api.httpApi));
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 });
    expect(Object.keys(JSON.parse(stage.AccessLogSettings.Format))).toEqual(
      expect.arrayContaining(['requestId', 'route', 'status', 'latency', 'user', 'ip']),
    );
    expect(render(stage.AccessLogSettings.DestinationArn)).toMatch(importOf(stacks.api, stacks.api.accessLogs, 'Arn'));
  });

  it('throttles the routes without a JWT on their own, and creates the stage only once those routes exist', () => {
    // Prepare
    const { routes } = synthesized;
    const keys = TOKEN_ROUTES;
    const logicalIds = Object.entries(resourcesOf(routes, 'AWS::ApiGatewayV2::Route'))
      .filter(([, route]) => keys.includes(route.Properties.RouteKey as string))
      .map(([id]) => id);

    // Act
    const { properties: stage, dependsOn } = stageOf(routes);

    // Assess (API Gateway refuses settings for a route key the API does not have yet)
    const limit = { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 };
    expect(stage.RouteSettings).toEqual(Object.fromEntries(keys.map((key) => [key, limit])));
    expect(logicalIds).toHaveLength(TOKEN_ROUTES.length);
    expect(dependsOn).toEqual(expect.arrayContaining(logicalIds));
  });

  it('takes both throttles from the config', () => {
    // Prepare
    const config = exampleConfig();
    const api = {
      ...config.api,
      throttle: { rateLimit: 50, burstLimit: 80 },
      activityThrottle: { rateLimit: 5, burstLimit: 10 },
    };

    // Act
    const { properties: stage } = stageOf(synthDataAndApi({ ...config, api }).routes);

    // Assess
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 80 });
    expect(stage.RouteSettings).toEqual(
      Object.fromEntries(TOKEN_ROUTES.map((key) => [key, { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 }])),
    );
  });

  it('trusts the user pool’s tokens issued to the portal client the web stack makes', () => {
    // Prepare
    const { routes, stacks } = synthesized;

    // Act
    const authorizer = Object.values(resourcesOf(routes, 'AWS::ApiGatewayV2::Authorizer'))[0]!.Properties as {
      AuthorizerType: string;
      JwtConfiguration: { Issuer: unknown; Audience: unknown[] };
    };

    // Assess
    expect(authorizer.AuthorizerType).toBe('JWT');
    const [prefix, pool] = render(authorizer.JwtConfiguration.Issuer).split(/(?<=\/)(?=\$)/);
    expect(prefix).toBe('https://cognito-idp.eu-west-1.${Ref:AWS::URLSuffix}/');
    expect(pool).toMatch(importOf(stacks.api, stacks.api.cognito!.userPool));
    expect(authorizer.JwtConfiguration.Audience).toHaveLength(1);
    expect(render(authorizer.JwtConfiguration.Audience[0])).toMatch(importOf(stacks.web, stacks.web.portalClient!));
  });

  it('leaves cdk-nag nothing unacknowledged in the API routes stack', () => {
    // Prepare
    // Act
    const findings = findingsFor(synthFailure(), 'orrery-api-routes');

    // Assess
    expect(findings).toEqual([]);
  });
});

describe('the API routes stack with the company OIDC issuer', () => {
  it('trusts the configured issuer and audience', () => {
    // Prepare
    const config = oidcConfig();

    // Act
    const { routes } = synthDataAndApi(config);

    // Assess
    routes.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://login.example.com/oauth2', Audience: ['orrery-portal'] },
    });
  });

  it('leaves cdk-nag nothing unacknowledged in the API routes stack', () => {
    // Prepare
    // Act
    const findings = findingsFor(synthFailure(oidcConfig()), 'orrery-api-routes');

    // Assess
    expect(findings).toEqual([]);
  });
});
