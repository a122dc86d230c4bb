import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InfraConfigSchema, type InfraConfig } from '../lib/config.ts';
import { ObservabilityStack, type ObservabilityStackProps } from '../lib/stacks/observability-stack.ts';
import example from '../orrery.config.example.json' with { type: 'json' };

const FUNCTIONS = { api: ['orrery-api-system', 'orrery-api-runs'], background: ['orrery-prepare-run'] };
const config = (overrides: Partial<InfraConfig> = {}): InfraConfig => ({
  ...InfraConfigSchema.parse(example),
  ...overrides,
});
const synth = (extra: Partial<ObservabilityStackProps> = {}, c: InfraConfig = config()) =>
  Template.fromStack(new ObservabilityStack(new App(), 'observability', { env: c.env, config: c, ...extra }));
const dashboardBody = (template: Template): string => {
  const body = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody;
  return typeof body === 'string' ? body : JSON.stringify(body);
};

describe('ObservabilityStack', () => {
  it('draws runs, culls, launches, API, Lambda and workflow widgets on one dashboard', () => {
    // Prepare
    const template = synth({ apiId: 'abc123' });

    // Act
    const body = dashboardBody(template);

    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    for (const name of [
      'RunsStarted',
      'RunsCompleted',
      'RunsFailed',
      'RunDuration',
      'Culls',
      'CullWarnings',
      'CullBreakerTripped',
      'ServersStarted',
      'ServerLaunchesFailed',
      '4xx',
      '5xx',
      'Latency',
      'AWS/ApiGateway',
      'abc123',
    ]) {
      expect(body).toContain(`\\"${name}\\"`);
    }
    expect(body).toContain('Active servers by pool');
    expect(body).toContain('{Orrery,Pool} MetricName=\\\\\\"ActiveServers\\\\\\"');
    expect(body).toContain('Run duration p90 (s)');
    expect(body).toContain('SEARCH(');
    expect(body).toContain("FILL(SEARCH('{Orrery,Pool}");
    expect(body).toContain('AWS/Lambda,FunctionName');
    expect(body).toContain('MetricName=\\\\\\"Errors\\\\\\" FunctionName=orrery');
    expect(body).toContain('MetricName=\\\\\\"ExecutionsFailed\\\\\\"');
  });

  it('makes no dashboard with "dashboard": false, and keeps every alarm', () => {
    // Act
    const without = synth({ functionNames: FUNCTIONS }, config({ dashboard: false }));
    const withIt = synth({ functionNames: FUNCTIONS });

    // Assess
    without.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(Object.keys(without.findResources('AWS::CloudWatch::Alarm'))).toEqual(
      Object.keys(withIt.findResources('AWS::CloudWatch::Alarm')),
    );
    expect(Object.keys(without.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(3);
  });

  it('leaves the API widgets out when the API id is not given', () => {
    // Prepare
    const template = synth();

    // Act
    const body = dashboardBody(template);

    // Assess
    expect(body).not.toContain('AWS/ApiGateway');
    expect(body).toContain('RunsStarted');
  });

  it('alarms on the run failure rate, Lambda errors per function group and failed executions through an encrypted topic', () => {
    // Prepare
    const template = synth({ functionNames: FUNCTIONS });

    // Act
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));

    // Assess
    expect(alarms).toHaveLength(5);
    const topic = { Ref: template.getResourceId('AWS::SNS::Topic') };
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topic]);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.2,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('FILL\\(failed, 0\\) / \\(FILL\\(completed, 0\\)') }),
        Match.objectLike({
          Id: 'failed',
          MetricStat: Match.objectLike({ Metric: { MetricName: 'RunsFailed', Namespace: 'Orrery' }, Period: 3600 }),
        }),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 5,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(f0, 0) + FILL(f1, 0)' }),
        Match.objectLike({
          Id: 'f1',
          MetricStat: Match.objectLike({
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'FunctionName', Value: 'orrery-api-runs' }],
            },
            Period: 300,
          }),
        }),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 3,
      Metrics: Match.arrayWith([
        Match.objectLike({
          Id: 'launchserver',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ Namespace: 'AWS/States', MetricName: 'ExecutionsFailed' }),
            Period: 900,
          }),
        }),
      ]),
    });
  });

  it('alarms when the culler’s circuit breaker holds back heartbeat culls, once in 5 minutes being enough', () => {
    // Prepare
    const template = synth();

    // Act
    const alarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'CullBreakerTripped' } }),
    );

    // Assess (the culler emits it in namespace Orrery with no dimensions; no sweep, no data: not breaching)
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.Properties).toMatchObject({
      Namespace: 'Orrery',
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: template.getResourceId('AWS::SNS::Topic') }],
    });
    expect(alarms[0]!.Properties.Dimensions).toBeUndefined();
  });

  it('lets CloudWatch use the topic’s key and publish to it only for this account’s alarms', () => {
    // Prepare
    const template = synth();
    const ownAlarms = {
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:123456789012:alarm:*']],
        },
      },
    };
    const cloudWatch = (statements: { Principal?: { Service?: string } }[]) =>
      statements.filter((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com');

    // Act
    const key = cloudWatch(Object.values(template.findResources('AWS::KMS::Key'))[0]!.Properties.KeyPolicy.Statement);
    const topic = cloudWatch(
      Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0]!.Properties.PolicyDocument.Statement,
    );

    // Assess
    expect(key).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: ownAlarms,
      }),
    ]);
    expect(topic).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Condition: ownAlarms })]);
  });

  it('writes every alarm expression in metric math over the alarm’s own metrics: no Metrics Insights query, no unknown name', () => {
    // Prepare
    const template = synth({ functionNames: FUNCTIONS });
    const functions = new Set(['FILL', 'IF', 'SUM', 'METRICS', 'ABS', 'MAX', 'MIN', 'AVG']);

    // Act
    const problems = Object.values(template.findResources('AWS::CloudWatch::Alarm')).flatMap((alarm) => {
      const metrics = (alarm.Properties.Metrics ?? []) as { Id: string; Expression?: string }[];
      const ids = new Set(metrics.map((m) => m.Id));
      return metrics.flatMap((m) => {
        if (!m.Expression) return [];
        const names = m.Expression.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
        return names.filter((name) => !ids.has(name) && !functions.has(name)).map((name) => `${m.Expression}: ${name}`);
      });
    });

    // Assess (a Metrics Insights SELECT … WHERE … LIKE query would leave SELECT, FROM, WHERE and LIKE here)
    expect(problems).toEqual([]);
  });

  it('refuses a function group larger than one alarm may combine', () => {
    // Act / Assess
    expect(() => synth({ functionNames: { api: Array.from({ length: 11 }, (_, i) => `fn${i}`) } })).toThrow(
      /at most 10 metrics/,
    );
  });

  it('alarms when any given dead-letter queue holds a message', () => {
    // Prepare
    const queues = ['orrery-reruns-dlq', 'orrery-events-dlq'];

    // Act
    const template = synth({ deadLetterQueueNames: queues });

    // Assess
    for (const queue of queues) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: queue }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('subscribes the alarm email only when one is configured', () => {
    // Prepare
    const withEmail = config({ alarmEmail: 'oncall@example.com' });
    const withoutEmail = config({ alarmEmail: undefined });

    // Act
    const subscribed = synth({}, withEmail);
    const silent = synth({}, withoutEmail);

    // Assess
    subscribed.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    silent.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
