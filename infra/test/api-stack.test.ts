import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { routesOf } from '#functions/contracts';
import { REPO_ROOT } from '../lib/constructs/orrery-function.ts';
import { brokerRoleArn, brokerRoleName, trustPolicyFor } from '../lib/credential-roles.ts';
import { API_ENTRIES, LISTING_GROUPS, RENDER_GROUPS, ROUTE_GROUPS } from '../lib/stacks/api-stack.ts';
import {
  exampleConfig,
  findingsFor,
  oidcConfig,
  render,
  resourcesOf,
  synthDataAndApi,
  synthFailure,
} from './support-api.ts';

type Statement = { Action: string | string[]; Resource: unknown };

// What a deployed function's environment holds once loadCloudConfig has read the cursor secret: importing an entry
// runs its cold start, and without ORRERY_CURSOR_SECRET_ARN it reads no secret (the test has no AWS).
const ENTRY_ENV = {
  ORRERY_TABLE: 'orrery',
  ORRERY_BUCKET: 'orrery-notebooks',
  ORRERY_CURSOR_SECRET: 'x'.repeat(48),
  ORRERY_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-run-notebook',
  ORRERY_STOP_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-stop-run',
  ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-launch-server',
  ORRERY_SCHEDULE_GROUP: 'orrery-reruns',
  ORRERY_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/orrery-scheduler-eu-west-1',
  ORRERY_SCHEDULE_TARGET_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:orrery-fire-schedule',
  ORRERY_SCHEDULE_DLQ_ARN: 'arn:aws:sqs:eu-west-1:123456789012:orrery-rerun-dlq',
};

const statementsOf = (template: Template): Statement[] =>
  Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );

const functionByGroup = (api: Template): Record<string, string> =>
  Object.fromEntries(
    Object.entries(resourcesOf(api, 'AWS::Lambda::Function')).map(([id, fn]) => [
      String(fn.Properties.Description).replace(/^Orrery API: (\w+) routes$/, '$1'),
      id,
    ]),
  );

/** The statements of one route group's role policy. */
const groupStatements = (api: Template, group: string): Statement[] => {
  const fn = resourcesOf(api, 'AWS::Lambda::Function')[functionByGroup(api)[group]!]!;
  const role = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  const policy = Object.values(resourcesOf(api, 'AWS::IAM::Policy')).find((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role),
  )!;
  return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
};

/** One group's S3 actions by the key pattern they cover, the bucket's ARN shown as `<bucket>`. */
const bucketAccess = (api: Template, group: string): Record<string, string[]> => {
  const access: Record<string, string[]> = {};
  for (const s of groupStatements(api, group).filter((st) => [st.Action].flat().some((a) => a.startsWith('s3:')))) {
    for (const resource of [s.Resource].flat()) {
      const key = render(resource).replace(
        /^\$\{Import:orrery-data:ExportsOutputFnGetAttNotebooks\w+Arn\w+\}/,
        '<bucket>',
      );
      access[key] = [...(access[key] ?? []), ...[s.Action].flat()].sort();
    }
  }
  return access;
};

describe('the API stack', () => {
  let api: Template;
  beforeAll(() => {
    api = synthDataAndApi().api;
  });

  it('makes no stage: the API routes stack makes it after the routes its throttles name', () => {
    // Prepare
    // Act
    const stages = Object.values(resourcesOf(api, 'AWS::ApiGatewayV2::Stage'));

    // Assess
    expect(stages).toEqual([]);
    api.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/apigateway/orrery-api' });
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

  it('lets only runs and schedules start runs, and only servers launch servers and describe the cluster', () => {
    // Prepare
    const functions = functionByGroup(api);
    const policies = Object.values(resourcesOf(api, 'AWS::IAM::Policy'));
    const actionsOf = (group: string) => {
      const role = (
        resourcesOf(api, 'AWS::Lambda::Function')[functions[group]!]!.Properties.Role as { 'Fn::GetAtt': [string] }
      )['Fn::GetAtt'][0];
      const policy = policies.find((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))!;
      return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.flatMap((s) =>
        [s.Action].flat().map((a) => `${a} ${JSON.stringify(s.Resource)}`),
      );
    };

    // Act
    const runs = actionsOf('runs').filter((a) => a.startsWith('states:'));
    const servers = actionsOf('servers').filter((a) => a.startsWith('states:') || a.startsWith('eks:'));
    const others = ['system', 'admin', 'notebooks'].flatMap(actionsOf);
    const schedules = actionsOf('schedules').filter((a) => a.startsWith('states:'));

    // Assess
    expect(runs.join()).toMatch(/stateMachine:orrery-run-notebook/);
    expect(runs.join()).toMatch(/stateMachine:orrery-stop-run/);
    expect(servers.join()).toMatch(/stateMachine:orrery-launch-server/);
    expect(servers.join()).toMatch(/eks:DescribeCluster .*cluster\/data-platform/);
    expect(
      actionsOf('system')
        .concat(actionsOf('admin'))
        .filter((a) => /^(states|eks|s3):|dynamodb:(Put|Update|Delete)/.test(a)),
    ).toEqual([]);
    expect(others.filter((a) => /^(states|eks):/.test(a))).toEqual([]);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatch(/^states:StartExecution .*stateMachine:orrery-run-notebook"/);
  });

  it('lets the schedules group manage Scheduler schedules in Orrery’s group only, and pass it exactly the execution role', () => {
    // Prepare
    const statements = groupStatements(api, 'schedules') as (Statement & { Condition?: unknown })[];
    const arn = (value: unknown) => render(value).replace('${Ref:AWS::Partition}', 'aws');

    // Act
    const scheduler = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('scheduler:')));
    const passRole = statements.filter((s) => [s.Action].flat().includes('iam:PassRole'));
    const elsewhere = ROUTE_GROUPS.filter((g) => g !== 'schedules').flatMap((g) =>
      groupStatements(api, g).flatMap((s) => [s.Action].flat().filter((a) => /^scheduler:|^iam:PassRole$/.test(a))),
    );

    // Assess
    expect(scheduler.map((s) => [[s.Action].flat().sort(), arn(s.Resource)])).toEqual([
      [
        ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule'],
        'arn:aws:scheduler:eu-west-1:123456789012:schedule/orrery-reruns/*',
      ],
    ]);
    expect(passRole.map((s) => [arn(s.Resource), s.Condition])).toEqual([
      [
        'arn:aws:iam::123456789012:role/orrery-scheduler-eu-west-1',
        { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      ],
    ]);
    expect(elsewhere).toEqual([]);
  });

  it('gives the cursor secret (its ARN and the read of it) only to the groups that serve lists, and Slack only to servers and schedules', () => {
    // Prepare
    const functions = resourcesOf(api, 'AWS::Lambda::Function');
    const ids = functionByGroup(api);

    // Act
    const secrets = Object.fromEntries(
      ROUTE_GROUPS.map((group) => [
        group,
        {
          reads: groupStatements(api, group).filter(
            (s) =>
              [s.Action].flat().some((a) => a.startsWith('secretsmanager:')) &&
              !JSON.stringify(s.Resource).includes('slack-webhook'),
          ),
          slack: groupStatements(api, group).filter((s) => JSON.stringify(s.Resource).includes('slack-webhook')),
          arn: (functions[ids[group]!]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables
            .ORRERY_CURSOR_SECRET_ARN,
        },
      ]),
    );

    // Assess (the groups whose routes take a `cursor`: notebooks and versions, runs, the cull log, the credential log, Spark sessions)
    expect([...LISTING_GROUPS].sort()).toEqual(['admin', 'credentials', 'notebooks', 'runs', 'schedules', 'servers']);
    // The servers function notifies a high-cost Spark session's owner, the schedules function a resume's missed due
    // time that could not start; no other API function reads the Slack secret.
    for (const group of ROUTE_GROUPS)
      expect(secrets[group]!.slack.length, group).toBe(['servers', 'schedules'].includes(group) ? 1 : 0);
    for (const group of ROUTE_GROUPS) {
      const { reads, arn } = secrets[group]!;
      if (!LISTING_GROUPS.includes(group)) {
        expect({ group, reads, arn }).toEqual({ group, reads: [], arn: undefined });
        continue;
      }
      expect(
        reads.map((s) => s.Action),
        group,
      ).toEqual(['secretsmanager:GetSecretValue']);
      expect(JSON.stringify(reads[0]!.Resource), group).toMatch(/CursorSecret/);
      expect(JSON.stringify(arn), group).toMatch(/CursorSecret/);
    }
  });

  it('grants the bucket by prefix: notebooks keep bodies and uploads, runs read run outputs, both the rendered-HTML cache', () => {
    // Prepare
    const readWrite = ['s3:GetObject', 's3:PutObject'];

    // Act
    const access = Object.fromEntries(ROUTE_GROUPS.map((group) => [group, bucketAccess(api, group)]));

    // Assess (only uploads may be deleted, and only by the notebooks group; nothing bucket-wide)
    expect(access.notebooks).toEqual({
      '<bucket>/bodies/*': readWrite,
      '<bucket>/uploads/*': ['s3:DeleteObject', ...readWrite],
      '<bucket>/rendered/*': readWrite,
    });
    expect(access.runs).toEqual({ '<bucket>/runs/*': ['s3:GetObject'], '<bucket>/rendered/*': readWrite });
    for (const group of ['system', 'servers', 'admin', 'credentials']) expect(access[group], group).toEqual({});
  });

  it("lets the credentials group assume exactly the registry's roles, and only add to the table", () => {
    // Prepare
    const withRoles = synthDataAndApi({ ...exampleConfig(), rolesFile: 'config/roles.example.yaml' }).api;
    const withoutRoles = synthDataAndApi({ ...exampleConfig(), rolesFile: undefined }).api;
    const stsOf = (template: Template, group: string) =>
      groupStatements(template, group)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('sts:')))
        .map((s) => ({ actions: [s.Action].flat().sort(), resources: [s.Resource].flat() }));
    const tableOf = (template: Template) =>
      groupStatements(template, 'credentials')
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
        .flatMap((s) => [s.Action].flat());

    // Act
    const granted = stsOf(withRoles, 'credentials');
    const others = ROUTE_GROUPS.filter((g) => g !== 'credentials').flatMap((g) => stsOf(withRoles, g));

    // Assess
    expect(granted).toEqual([
      {
        actions: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
        resources: [
          'arn:aws:iam::123456789012:role/orrery/ads-analyst',
          'arn:aws:iam::210987654321:role/risk-readonly',
          'arn:aws:iam::123456789012:role/orrery/sandbox',
        ],
      },
    ]);
    expect(others).toEqual([]);
    expect(stsOf(withoutRoles, 'credentials')).toEqual([]);
    expect(tableOf(withRoles).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
  });

  it('names the broker role as `npm run trust-policy` computes it, and outputs its ARN and the trust policy', () => {
    // Prepare
    const config = exampleConfig();
    const fn = resourcesOf(api, 'AWS::Lambda::Function')[functionByGroup(api).credentials!]!;
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const outputs = api.findOutputs('*') as Record<string, { Value: unknown }>;

    // Act
    const role = resourcesOf(api, 'AWS::IAM::Role')[roleId]!;
    const others = Object.entries(resourcesOf(api, 'AWS::IAM::Role')).filter(([id]) => id !== roleId);

    // Assess (a name and no path: the deployed ARN is exactly brokerRoleArn's; only this role is named)
    expect(role.Properties.RoleName).toBe(brokerRoleName(config));
    expect(role.Properties.Path).toBeUndefined();
    expect(brokerRoleArn(config)).toBe(`arn:aws:iam::123456789012:role/${brokerRoleName(config)}`);
    expect(others.filter(([, r]) => r.Properties.RoleName !== undefined)).toEqual([]);
    expect(render(outputs.CredentialsBrokerRoleArn!.Value)).toBe(`\${${roleId}.Arn}`);
    expect(JSON.parse(render(outputs.CredentialsTrustPolicy!.Value))).toEqual(trustPolicyFor(`\${${roleId}.Arn}`));
  });

  it('reserves and caps the concurrency of the functions that render notebooks, and of no other', () => {
    // Prepare
    const functions = resourcesOf(api, 'AWS::Lambda::Function');
    const ids = functionByGroup(api);

    // Act
    const reserved = Object.fromEntries(
      ROUTE_GROUPS.map((group) => [group, functions[ids[group]!]!.Properties.ReservedConcurrentExecutions]),
    );

    // Assess
    expect([...RENDER_GROUPS].sort()).toEqual(['notebooks', 'runs']);
    expect(reserved).toEqual({ system: undefined, notebooks: 25, runs: 25, servers: undefined, admin: undefined });
  });

  it('takes the render functions’ reserved concurrency from the config, or reserves none when it is null', () => {
    // Prepare
    const config = exampleConfig();
    const reservedOf = (renderConcurrency: number | null) =>
      Object.values(
        resourcesOf(
          synthDataAndApi({ ...config, api: { ...config.api, renderConcurrency } }).api,
          'AWS::Lambda::Function',
        ),
      )
        .map((fn) => fn.Properties.ReservedConcurrentExecutions)
        .filter((value) => value !== undefined);

    // Act
    const [forty, none] = [reservedOf(40), reservedOf(null)];

    // Assess
    expect(forty).toEqual([40, 40]);
    expect(none).toEqual([]);
  });

  it('tells every function the state machine ARNs by name', () => {
    // Prepare
    const tail = (value: unknown) => {
      const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      return String(parts[parts.length - 1]);
    };

    // Act
    const envs = Object.values(resourcesOf(api, 'AWS::Lambda::Function')).map(
      (fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    );

    // Assess
    expect(envs).toHaveLength(ROUTE_GROUPS.length);
    for (const env of envs) {
      expect(tail(env.ORRERY_RUN_STATE_MACHINE_ARN)).toMatch(/:stateMachine:orrery-run-notebook$/);
      expect(tail(env.ORRERY_STOP_RUN_STATE_MACHINE_ARN)).toMatch(/:stateMachine:orrery-stop-run$/);
      expect(tail(env.ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN)).toMatch(/:stateMachine:orrery-launch-server$/);
      expect(env.ORRERY_CURSOR_SECRET).toBeUndefined();
      // The portal's bearer is a Cognito ID token: `sub` (a UUID), `email`, and the groups in `cognito:groups`.
      expect(env).toMatchObject({
        ORRERY_CLAIM_USER: 'sub',
        ORRERY_CLAIM_NAME: 'email',
        ORRERY_CLAIM_TEAMS: 'cognito:groups',
        ORRERY_ADMIN_GROUP: 'orrery-admins',
      });
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
    expect(pool).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        DeletionProtection: 'ACTIVE',
      },
    });
    api.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'orrery-admins' });
    api.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'orrery-123456789012',
      UserPoolId: { Ref: id },
    });
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

  it('hands the functions a dedicated admin claim and an empty admin group when the configuration names them', () => {
    // Prepare
    const base = oidcConfig();
    if (base.identity.kind !== 'oidc') throw new Error('oidcConfig is not OIDC');
    const config = {
      ...base,
      identity: { ...base.identity, claims: { ...base.identity.claims, adminGroup: '', admin: 'roles=Orrery.Admin' } },
    };

    // Act
    const { api } = synthDataAndApi(config);
    const envs = Object.values(resourcesOf(api, 'AWS::Lambda::Function')).map(
      (fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    );

    // Assess
    expect(envs).toHaveLength(ROUTE_GROUPS.length);
    for (const env of envs)
      expect(env).toMatchObject({
        ORRERY_CLAIM_TEAMS: 'groups',
        ORRERY_ADMIN_GROUP: '',
        ORRERY_ADMIN_CLAIM: 'roles=Orrery.Admin',
      });
  });

  it('leaves cdk-nag nothing unacknowledged in the API stack', () => {
    // Prepare
    // Act
    const findings = findingsFor(synthFailure(oidcConfig()), 'orrery-api');

    // Assess
    expect(findings).toEqual([]);
  });
});
