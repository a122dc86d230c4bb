import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { routesOf } from '../../functions/src/shared/api-composition.ts';
import { REPO_ROOT } from '../lib/constructs/orrery-function.ts';
import { API_ENTRIES, ROUTE_GROUPS } from '../lib/stacks/api-stack.ts';
import { findingsFor, oidcConfig, resourcesOf, synthDataAndApi, synthFailure } from './support-api.ts';

type Statement = { Action: string | string[]; Resource: unknown };

// What a deployed function's environment holds once loadCloudConfig has read the cursor secret: importing an entry
// runs its cold start, and without ORRERY_CURSOR_SECRET_ARN it reads no secret (the test has no AWS).
const ENTRY_ENV = {
  ORRERY_TABLE: 'orrery', ORRERY_BUCKET: 'orrery-notebooks', ORRERY_CURSOR_SECRET: 'x'.repeat(48),
  ORRERY_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-run-notebook',
  ORRERY_STOP_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-stop-run',
  ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-launch-server',
};

const statementsOf = (template: Template): Statement[] =>
  Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

const functionByGroup = (api: Template): Record<string, string> =>
  Object.fromEntries(Object.entries(resourcesOf(api, 'AWS::Lambda::Function')).map(([id, fn]) => [String(fn.Properties.Description).replace(/^Orrery API: (\w+) routes$/, '$1'), id]));

describe('the API stack', () => {
  let api: Template;
  beforeAll(() => {
    api = synthDataAndApi().api;
  });

  it('serves one stage named api with throttling and JSON access logs, and no default stage', () => {
    // Prepare
    // Act
    const stages = Object.values(resourcesOf(api, 'AWS::ApiGatewayV2::Stage'));

    // Assess
    expect(stages).toHaveLength(1);
    const stage = stages[0]!.Properties as { StageName: string; AutoDeploy: boolean; DefaultRouteSettings: Record<string, number>; AccessLogSettings: { Format: string } };
    expect(stage.StageName).toBe('api');
    expect(stage.AutoDeploy).toBe(true);
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 });
    expect(Object.keys(JSON.parse(stage.AccessLogSettings.Format))).toEqual(expect.arrayContaining(['requestId', 'route', 'status', 'latency', 'user']));
  });

  it('gives each route group a function of its own with its own entry, whose router serves exactly that group', async () => {
    // Prepare
    const { stacks } = synthDataAndApi();
    const handlers = Object.values(resourcesOf(api, 'AWS::Lambda::Function')).map((fn) => fn.Properties.Handler);
    for (const [name, value] of Object.entries(ENTRY_ENV)) vi.stubEnv(name, value);

    // Act
    const entries = ROUTE_GROUPS.map((group) => stacks.api.functions[group].entry);

    // Assess
    expect(entries).toEqual(ROUTE_GROUPS.map((group) => API_ENTRIES[group]));
    expect(new Set(entries).size).toBe(ROUTE_GROUPS.length);
    expect(handlers).toEqual(ROUTE_GROUPS.map(() => 'index.handler'));
    for (const group of ROUTE_GROUPS) {
      expect(existsSync(join(REPO_ROOT, API_ENTRIES[group])), API_ENTRIES[group]).toBe(true);
      const { handler } = (await import(join(REPO_ROOT, API_ENTRIES[group]))) as { handler: { routes: string[] } };
      expect([...handler.routes].sort(), group).toEqual(routesOf(group).sort());
    }
    vi.unstubAllEnvs();
  });

  it('grants no wildcard actions and nothing on * except X-Ray', () => {
    // Prepare
    const statements = statementsOf(api);

    // Act
    const actions = statements.flatMap((s) => [s.Action].flat());
    const onAnything = statements.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat());

    // Assess
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    expect(new Set(onAnything)).toEqual(new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
  });

  it('attaches no managed policies to the function roles', () => {
    // Prepare
    // Act
    const roles = Object.values(resourcesOf(api, 'AWS::IAM::Role'));

    // Assess
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets only runs start the run workflows and only servers launch servers and describe the cluster', () => {
    // Prepare
    const functions = functionByGroup(api);
    const policies = Object.values(resourcesOf(api, 'AWS::IAM::Policy'));
    const actionsOf = (group: string) => {
      const role = (resourcesOf(api, 'AWS::Lambda::Function')[functions[group]!]!.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      const policy = policies.find((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))!;
      return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.flatMap((s) => [s.Action].flat().map((a) => `${a} ${JSON.stringify(s.Resource)}`));
    };

    // Act
    const runs = actionsOf('runs').filter((a) => a.startsWith('states:'));
    const servers = actionsOf('servers').filter((a) => a.startsWith('states:') || a.startsWith('eks:'));
    const others = ['system', 'admin', 'notebooks'].flatMap(actionsOf);

    // Assess
    expect(runs.join()).toMatch(/stateMachine:orrery-run-notebook/);
    expect(runs.join()).toMatch(/stateMachine:orrery-stop-run/);
    expect(servers.join()).toMatch(/stateMachine:orrery-launch-server/);
    expect(servers.join()).toMatch(/eks:DescribeCluster .*cluster\/data-platform/);
    expect(actionsOf('system').concat(actionsOf('admin')).filter((a) => /^(states|eks|s3):|dynamodb:(Put|Update|Delete)/.test(a))).toEqual([]);
    expect(others.filter((a) => /^(states|eks):/.test(a))).toEqual([]);
  });

  it('lets every function read the cursor secret and no other secret', () => {
    // Prepare
    const functions = Object.values(resourcesOf(api, 'AWS::Lambda::Function'));
    const policies = Object.values(resourcesOf(api, 'AWS::IAM::Policy'));

    // Act
    const secretReads = functions.map((fn) => {
      const role = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      const policy = policies.find((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))!;
      return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:')));
    });

    // Assess
    expect(secretReads).toHaveLength(ROUTE_GROUPS.length);
    for (const statements of secretReads) {
      expect(statements).toHaveLength(1);
      expect(statements[0]!.Action).toBe('secretsmanager:GetSecretValue');
      expect(JSON.stringify(statements[0]!.Resource)).toMatch(/CursorSecret/);
    }
  });

  it('tells every function the state machine ARNs by name', () => {
    // Prepare
    const tail = (value: unknown) => {
      const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      return String(parts[parts.length - 1]);
    };

    // Act
    const envs = Object.values(resourcesOf(api, 'AWS::Lambda::Function')).map((fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables);

    // Assess
    expect(envs).toHaveLength(ROUTE_GROUPS.length);
    for (const env of envs) {
      expect(tail(env.ORRERY_RUN_STATE_MACHINE_ARN)).toMatch(/:stateMachine:orrery-run-notebook$/);
      expect(tail(env.ORRERY_STOP_RUN_STATE_MACHINE_ARN)).toMatch(/:stateMachine:orrery-stop-run$/);
      expect(tail(env.ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN)).toMatch(/:stateMachine:orrery-launch-server$/);
      expect(env.ORRERY_CURSOR_SECRET_ARN).toBeDefined();
      expect(env.ORRERY_CURSOR_SECRET).toBeUndefined();
      // The portal's bearer is a Cognito ID token: `sub` (a UUID), `email`, and the groups in `cognito:groups`.
      expect(env).toMatchObject({ ORRERY_CLAIM_USER: 'sub', ORRERY_CLAIM_NAME: 'email', ORRERY_CLAIM_TEAMS: 'cognito:groups', ORRERY_ADMIN_GROUP: 'orrery-admins' });
    }
  });

  it('creates a Cognito user pool with TOTP MFA required, no self sign-up, the admin group and the hosted UI domain, and retains it', () => {
    // Prepare
    // Act
    const pools = Object.entries(api.findResources('AWS::Cognito::UserPool'));

    // Assess
    expect(pools).toHaveLength(1);
    const [id, pool] = pools[0]!;
    // The logical id is the pool's identity: a new one would make CloudFormation replace (and orphan) the pool.
    expect(id).toMatch(/^UserPool[0-9A-F]{8}$/);
    expect(pool).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { MfaConfiguration: 'ON', EnabledMfas: ['SOFTWARE_TOKEN_MFA'], AdminCreateUserConfig: { AllowAdminCreateUserOnly: true }, DeletionProtection: 'ACTIVE' } });
    api.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'orrery-admins' });
    api.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'orrery-123456789012', UserPoolId: { Ref: id } });
    // The portal's client is the web stack's (its callback URL is CloudFront's); the authorizer is the routes stack's.
    api.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    api.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  it('leaves cdk-nag nothing unacknowledged in the API stack', () => {
    // Prepare
    // Act
    const findings = findingsFor(synthFailure(), 'orrery-api');

    // Assess
    expect(findings).toEqual([]);
  });
});

describe('the API stack with the company OIDC issuer', () => {
  it('creates no user pool', () => {
    // Prepare
    const config = oidcConfig();

    // Act
    const { api } = synthDataAndApi(config);

    // Assess
    api.resourceCountIs('AWS::Cognito::UserPool', 0);
    api.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
    expect(Object.keys(api.toJSON().Outputs ?? {}).filter((name) => name.includes('UserPool'))).toEqual([]);
  });

  it('leaves cdk-nag nothing unacknowledged in the API stack', () => {
    // Prepare
    // Act
    const findings = findingsFor(synthFailure(oidcConfig()), 'orrery-api');

    // Assess
    expect(findings).toEqual([]);
  });
});
