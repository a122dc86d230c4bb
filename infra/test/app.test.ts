import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DESIGN } from '#functions/contracts';
import { makeApp } from '../lib/app.ts';
import { loadInfraConfig, InfraConfigSchema } from '../lib/config.ts';
import { render, stacksOf } from './support-api.ts';

const EXAMPLE = join(import.meta.dirname, '..', 'orrery.config.example.json');
const synthesized = () => {
  const { app, stacks } = makeApp(loadInfraConfig(EXAMPLE), {
    bundle: false,
    outdir: mkdtempSync(join(tmpdir(), 'orrery-cdk-')),
  });
  const assembly = app.synth();
  return { assembly, stacks };
};

type Statement = { Action?: string | string[]; Resource?: unknown };

describe('the CDK app', () => {
  // One synth (with cdk-nag) for every test: it takes half a minute on a loaded machine.
  let app: ReturnType<typeof synthesized>;
  beforeAll(() => {
    app = synthesized();
  }, 180_000);

  it('synthesizes every stack offline with cdk-nag’s AwsSolutions rules and no unsuppressed error', () => {
    // Act (cdk-nag runs as a validation plugin: synth throws on an error)
    const { assembly } = app;
    // Assess
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      'orrery-api',
      'orrery-api-routes',
      'orrery-compute-access',
      'orrery-data',
      'orrery-edge',
      'orrery-observability',
      'orrery-schedules',
      'orrery-web',
      'orrery-workflows',
    ]);
  });

  it('sets every feature flag aws-cdk-lib recommends, so synth reports no unconfigured flags', () => {
    // Prepare
    const recommended = createRequire(import.meta.url)('aws-cdk-lib/recommended-feature-flags.json') as Record<
      string,
      unknown
    >;
    const { stacks } = app;

    // Act
    const differing = Object.entries(recommended).filter(
      ([flag, value]) => JSON.stringify(stacks.api.node.tryGetContext(flag)) !== JSON.stringify(value),
    );

    // Assess (strong cross-stack references are chosen on purpose: a stack cannot drop an export another imports)
    expect(Object.keys(recommended).length).toBeGreaterThan(50);
    expect(differing.map(([flag]) => flag)).toEqual(['@aws-cdk/core:defaultCrossStackReferences']);
    expect(stacks.api.node.tryGetContext('@aws-cdk/core:defaultCrossStackReferences')).toBe('strong');
  });

  it('deploys the edge stack in us-east-1 and before the web stack, whose distribution carries its web ACL', () => {
    // Prepare
    const { stacks } = app;

    // Act
    const edge = stacks.edge!;

    // Assess
    expect(edge.region).toBe('us-east-1');
    expect(stacks.web.dependencies.map((d) => d.stackName)).toContain('orrery-edge');
  });

  it('deploys the web stack between the API and its routes, so Cognito sign-in needs one deploy', () => {
    // Prepare
    const { stacks } = app;
    const dependsOn = (stack: Stack) => stack.dependencies.map((d) => d.stackName).sort();

    // Act
    const order = { api: dependsOn(stacks.api), web: dependsOn(stacks.web), routes: dependsOn(stacks.apiRoutes) };

    // Assess
    expect(order.api).toEqual(['orrery-data']);
    expect(order.web).toEqual(['orrery-api', 'orrery-data', 'orrery-edge']);
    expect(order.routes).toEqual(['orrery-api', 'orrery-web']);
  });

  it('puts no secret value in any template: no dynamic reference to Secrets Manager, no ORRERY_CURSOR_SECRET variable', () => {
    // Prepare
    const { assembly } = app;

    // Act
    const templates = assembly.stacks.map((stack) => ({ name: stack.stackName, text: JSON.stringify(stack.template) }));

    // Assess
    expect(templates.filter((t) => t.text.includes('resolve:secretsmanager')).map((t) => t.name)).toEqual([]);
    expect(templates.filter((t) => t.text.includes('"ORRERY_CURSOR_SECRET"')).map((t) => t.name)).toEqual([]);
    // Only the API's listing groups sign cursors: no task, no culler.
    expect(
      templates
        .filter((t) => t.text.includes('"ORRERY_CURSOR_SECRET_ARN"'))
        .map((t) => t.name)
        .sort(),
    ).toEqual(['orrery-api']);
  });

  it('grants no action on every resource anywhere: no "*" action, and no service-wide wildcard on "*"', () => {
    // Prepare
    const { stacks } = app;
    // Act
    const offending = stacksOf(stacks).flatMap((stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((policy) =>
        ((policy.Properties.PolicyDocument.Statement ?? []) as Statement[])
          .filter((s) =>
            [s.Action]
              .flat()
              .some((a) => a === '*' || (typeof a === 'string' && a.endsWith(':*') && s.Resource === '*')),
          )
          .map((s) => `${stack.stackName}: ${JSON.stringify(s)}`),
      ),
    );
    // Assess
    expect(offending).toEqual([]);
  });

  it('grants table access on the table and its indexes by name only, never a wildcard over the indexes', () => {
    // Prepare
    const { stacks } = app;
    // Act
    const statements = stacksOf(stacks).flatMap((stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((policy) =>
        ((policy.Properties.PolicyDocument.Statement ?? []) as Statement[]).filter((s) =>
          [s.Action].flat().some((a) => typeof a === 'string' && a.startsWith('dynamodb:')),
        ),
      ),
    );
    const resources = statements.map((s) => JSON.stringify(s.Resource));
    // Assess
    expect(statements.length).toBeGreaterThanOrEqual(8);
    for (const resource of resources) {
      expect(resource).not.toContain('/index/*');
      for (const index of TABLE_DESIGN.indexes) expect(resource).toContain(`/index/${index.name}`);
    }
  });

  it('refuses a configuration with a bad field, naming the field', () => {
    // Act
    const parsed = InfraConfigSchema.safeParse({
      ...JSON.parse(JSON.stringify(loadInfraConfig(EXAMPLE))),
      env: { account: '42', region: 'eu-west-1' },
    });
    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['env', 'account']);
  });

  it('needs no server image, which nothing would read (profiles name theirs), and drops an old one', () => {
    // Prepare
    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    const images = { runner: 'registry.example/runner:1', reporter: 'registry.example/server:1' };

    // Act
    const withoutServer = InfraConfigSchema.safeParse({ ...example, images });
    const withServer = InfraConfigSchema.safeParse({ ...example, images: { ...images, server: 'x/server:1' } });

    // Assess
    expect(example.images).not.toHaveProperty('server');
    expect(withoutServer.success, JSON.stringify(withoutServer.error?.issues)).toBe(true);
    expect(withServer.data?.images).toEqual(images);
  });

  it('refuses a reserved concurrency of 0 for the render functions (it would stop them), naming the field', () => {
    // Act
    const parsed = InfraConfigSchema.safeParse({
      ...JSON.parse(JSON.stringify(loadInfraConfig(EXAMPLE))),
      api: { renderConcurrency: 0 },
    });
    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['api', 'renderConcurrency']);
  });

  it('refuses a Cognito admin group with a comma or a space, which the functions would refuse at cold start', () => {
    // Act
    const parsed = ['Reporting, orrery-admins', 'Data Science'].map((adminGroup) =>
      InfraConfigSchema.safeParse({
        ...JSON.parse(JSON.stringify(loadInfraConfig(EXAMPLE))),
        identity: { kind: 'cognito', adminGroup },
      }),
    );
    // Assess
    expect(parsed.map((p) => p.success)).toEqual([false, false]);
    expect(parsed.map((p) => p.error?.issues[0]?.path)).toEqual([
      ['identity', 'adminGroup'],
      ['identity', 'adminGroup'],
    ]);
  });

  it('names in the API’s schedules function the group, role, fire function and DLQ the schedules stack makes', () => {
    // Prepare
    const { stacks } = app;
    const schedules = Template.fromStack(stacks.schedules);
    const one = (type: string) => Object.values(schedules.findResources(type));
    const { Name: group } = one('AWS::Scheduler::ScheduleGroup')[0]!.Properties;
    const role = one('AWS::IAM::Role').find((r) => r.Properties.RoleName)!.Properties.RoleName;
    const fire = one('AWS::Lambda::Function').find((f) => f.Properties.FunctionName)!.Properties.FunctionName;
    const queue = one('AWS::SQS::Queue').find((q) => q.Properties.QueueName)!.Properties.QueueName;

    // Act
    const fn = Object.values(Template.fromStack(stacks.api).findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Description === 'Orrery API: schedules routes',
    )!;
    const env = fn.Properties.Environment.Variables as Record<string, unknown>;
    const text = (name: string) => render(env[name]).replace('${Ref:AWS::Partition}', 'aws');

    // Assess (the API stack names them by construction: the schedules stack comes after it)
    expect(text('ORRERY_SCHEDULE_GROUP')).toBe(group);
    expect(text('ORRERY_SCHEDULER_ROLE_ARN')).toBe(`arn:aws:iam::123456789012:role/${role}`);
    expect(text('ORRERY_SCHEDULE_TARGET_ARN')).toBe(`arn:aws:lambda:eu-west-1:123456789012:function:${fire}`);
    expect(text('ORRERY_SCHEDULE_DLQ_ARN')).toBe(`arn:aws:sqs:eu-west-1:123456789012:${queue}`);
  });

  it('alarms as soon as a message waits in the schedules’ dead-letter queue', () => {
    // Prepare
    const { stacks } = app;

    // Act
    const alarms = Object.values(Template.fromStack(stacks.observability).findResources('AWS::CloudWatch::Alarm'));
    const onQueue = alarms.filter((a) =>
      (a.Properties.Dimensions ?? []).some(
        (d: { Name: string; Value: unknown }) =>
          d.Name === 'QueueName' && render(d.Value).includes('RerunDeadLetterQueue'),
      ),
    );

    // Assess
    expect(onQueue).toHaveLength(1);
    expect(onQueue[0]!.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    expect(onQueue[0]!.Properties.AlarmActions).toHaveLength(1);
  });

  it('keeps state only in the data stack, protected from deletion', () => {
    // Prepare
    const { stacks } = app;
    // Act
    const stateful = stacksOf(stacks).filter(
      (s) => Object.keys(Template.fromStack(s).findResources('AWS::DynamoDB::Table')).length > 0,
    );
    // Assess
    expect(stateful.map((s) => s.stackName)).toEqual(['orrery-data']);
    expect(stacks.data.terminationProtection).toBe(true);
  });
});
