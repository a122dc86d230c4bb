import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInfraConfig } from '../lib/config.ts';
import type { DataStack } from '../lib/stacks/data-stack.ts';
import { SchedulesStack } from '../lib/stacks/schedules-stack.ts';

const config = loadInfraConfig(join(import.meta.dirname, '..', 'orrery.config.example.json'));

/** A stand-in for the data stack (being written separately) with the three fields the stateless stacks use. */
const fakeData = (app: App): DataStack => {
  const stack = new Stack(app, 'data', { env: config.env });
  const table = new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  return {
    table,
    bucket: new Bucket(stack, 'Bucket'),
    cursorSecret: new Secret(stack, 'CursorSecret'),
  } as unknown as DataStack;
};

type Statement = { Action: string | string[]; Resource: unknown };

/** A logical id without the hash CDK appends: `CullSchedulerRole3BCFBA42` → `CullSchedulerRole`. */
const withoutHash = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, '');

/** Every IAM statement of a template: its policies' and any inline in its roles. */
const statementsOf = (template: Template): Statement[] =>
  [
    ...Object.values(template.findResources('AWS::IAM::Policy')).map((p) => p.Properties),
    ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) => r.Properties.Policies ?? []),
  ].flatMap((policy: { PolicyDocument: { Statement: Statement[] } }) => policy.PolicyDocument.Statement);

describe('SchedulesStack', () => {
  let stack: SchedulesStack;
  let template: Template;
  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new SchedulesStack(app, 'schedules', {
      env: config.env,
      config,
      data: fakeData(app),
      apiUrl: 'https://api.example.com/api',
    });
    template = Template.fromStack(stack);
  });

  it('runs the culler every 5 minutes with a retry policy and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CullIdle'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 240 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CullDeadLetterQueue'), 'Arn'] } },
      }),
    });
  });

  it('keeps every dead-letter queue encrypted and TLS-only', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(2);
    for (const q of Object.values(queues)) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      2,
    );
  });

  it('makes the reruns schedule group and a role that may only start the run state machine', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'orrery-reruns' });
    expect(stack.deadLetterQueue).toBeDefined();
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RerunSchedulerRole') }] },
      }),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const start = statements.filter((s) => [s.Action].flat().includes('states:StartExecution'));
    expect(start).toHaveLength(1);
    expect(JSON.stringify(start[0]!.Resource)).toContain(':stateMachine:orrery-run-notebook');
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => !a.startsWith('sqs:'))).toEqual([
      'states:StartExecution',
    ]);
  });

  it('gives the culler the server-task environment with the Slack secret’s name, never its URL, and puts its role in clusterRoles', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ORRERY_EKS_CLUSTER: 'data-platform',
          ORRERY_SERVER_PUBLIC_URL: 'https://jupyter.example.com',
          ORRERY_SLACK_WEBHOOK_SECRET_NAME: 'orrery/slack-webhook',
          ORRERY_SLACK_WEBHOOK_URL: Match.absent(),
        }),
      },
    });
    expect(stack.clusterRoles).toHaveLength(1);
  });

  it('grants no * action on * resources', () => {
    // Prepare
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    // Act
    const roles = policies.flatMap((p) => (p.Properties.Roles as { Ref: string }[]).map((r) => withoutHash(r.Ref)));
    const statements = statementsOf(template);
    // Assess: the loop below checks the policies of these three roles, so it cannot pass on none.
    expect(roles.sort()).toEqual(['CullIdleServiceRole', 'CullSchedulerRole', 'RerunSchedulerRole']);
    for (const st of statements) {
      expect([st.Action].flat()).not.toContain('*');
      if ([st.Resource].flat().includes('*')) expect([st.Action].flat().every((a) => a.startsWith('xray:'))).toBe(true);
    }
  });

  it('passes cdk-nag AwsSolutions with every finding acknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
  });
});
