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
import { render } from './support-api.ts';

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

/** An ARN as text, its partition (a token in this env-only stack) written as the partition it resolves to here. */
const arnText = (value: unknown) => render(value).replace('${Ref:AWS::Partition}', 'aws');

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

  it('makes the schedule group and an execution role that may only invoke the fire function and reach the DLQ', () => {
    // Prepare
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RerunSchedulerRole') }] },
      }),
    );

    // Act
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const actions = statements.flatMap((s) => [s.Action].flat());

    // Assess
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'orrery-reruns' });
    expect(actions.filter((a) => !a.startsWith('sqs:'))).toEqual(['lambda:InvokeFunction']);
    const invoke = statements.find((s) => [s.Action].flat().includes('lambda:InvokeFunction'))!;
    expect(JSON.stringify(invoke.Resource)).toMatch(/"FireSchedule[0-9A-F]{8}","Arn"/);
    const send = statements.filter((s) => [s.Action].flat().includes('sqs:SendMessage'));
    expect(send.map((s) => JSON.stringify(s.Resource))).toEqual([
      expect.stringMatching(/RerunDeadLetterQueue[0-9A-F]{8}/),
    ]);
  });

  it('lets only this account’s schedules in the group assume the execution role, which has a fixed name', () => {
    // Prepare
    const roles = template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'orrery-scheduler-eu-west-1' } });

    // Act
    const trust = Object.values(roles).map((r) => r.Properties.AssumeRolePolicyDocument.Statement);

    // Assess
    expect(trust).toHaveLength(1);
    expect(trust[0]).toHaveLength(1);
    const [statement] = trust[0];
    expect(statement.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(statement.Condition.StringEquals).toEqual({ 'aws:SourceAccount': '123456789012' });
    expect(arnText(statement.Condition.ArnLike['aws:SourceArn'])).toBe(
      'arn:aws:scheduler:eu-west-1:123456789012:schedule/orrery-reruns/*',
    );
  });

  it('makes the fire function under the name the API targets, with the calendar’s variables', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'orrery-fire-schedule',
      Environment: {
        Variables: Match.objectLike({
          ORRERY_SCHEDULE_GROUP: 'orrery-reruns',
          ORRERY_SCHEDULER_ROLE_ARN: Match.anyValue(),
          ORRERY_SCHEDULE_TARGET_ARN: Match.anyValue(),
          ORRERY_SCHEDULE_DLQ_ARN: Match.anyValue(),
          ORRERY_RUN_STATE_MACHINE_ARN: Match.anyValue(),
          ORRERY_SLACK_WEBHOOK_SECRET_NAME: 'orrery/slack-webhook',
        }),
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'orrery-rerun-dlq' });
  });

  it('lets the fire function start runs, create retries in the group only, and pass only the execution role', () => {
    // Prepare
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^FireScheduleServiceRole') }] },
      }),
    ).flatMap((p) => p.Properties.PolicyDocument.Statement as (Statement & { Condition?: unknown })[]);

    // Act
    const byAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    const scheduler = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('scheduler:'));

    // Assess
    expect(scheduler).toEqual(['scheduler:CreateSchedule']);
    expect(byAction('scheduler:CreateSchedule').map((s) => arnText(s.Resource))).toEqual([
      'arn:aws:scheduler:eu-west-1:123456789012:schedule/orrery-reruns/*',
    ]);
    expect(byAction('iam:PassRole').map((s) => [arnText(s.Resource), s.Condition])).toEqual([
      [
        'arn:aws:iam::123456789012:role/orrery-scheduler-eu-west-1',
        { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      ],
    ]);
    expect(byAction('states:StartExecution').map((s) => render(s.Resource))).toEqual([
      expect.stringMatching(/:stateMachine:orrery-run-notebook$/),
    ]);
    expect(byAction('dynamodb:PutItem')).toHaveLength(1);
  });

  it('sends a fire that failed Lambda’s own retries to the same dead-letter queue, so its alarm covers both', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^FireSchedule') },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RerunDeadLetterQueue'), 'Arn'] } },
      },
    });
  });

  it('gives the culler the server-task environment with the Slack secret’s name, never its URL, and puts its role in clusterRoles', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
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
    // Assess: the loop below checks the policies of these five roles, so it cannot pass on none.
    expect(roles.sort()).toEqual([
      'CullIdleServiceRole',
      'CullSchedulerRole',
      'DigestSchedulerRole',
      'FireScheduleServiceRole',
      'RerunSchedulerRole',
    ]);
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
