import { ArnFormat, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';
import { STATE_MACHINES, stateMachineArn } from '../names.ts';
import { CULL_BREAKER_METRIC, METRICS_NAMESPACE } from '#functions/contracts';

/** What the observability stack needs. */
export interface ObservabilityStackProps extends StackProps {
  config: InfraConfig;
  /** The HTTP API's id; without it the API 4xx/5xx/latency widgets are left out. */
  apiId?: string;
  /** Queues whose depth must stay at zero (one alarm each); without them no DLQ alarm is made. */
  deadLetterQueueNames?: string[];
  /** Orrery's Lambda function names by group (one errors alarm per group); without them, no Lambda errors alarm. */
  functionNames?: Record<string, string[]>;
}

/** Metric math alarms may combine at most this many metrics (CloudWatch's limit). */
export const ALARM_METRICS_LIMIT = 10;

const count = (metricName: string, period = Duration.minutes(5)) =>
  new Metric({ namespace: METRICS_NAMESPACE, metricName, statistic: 'Sum', period });

/** The dashboard and alarms. */
export class ObservabilityStack extends Stack {
  /** The topic every alarm notifies (email when config.alarmEmail is set). */
  readonly alarmTopic: Topic;
  /** The one dashboard of the platform's health; none with `dashboard: false` (it costs $3 a month). */
  readonly dashboard?: Dashboard;
  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prefix = `${config.name}-`;
    this.alarmTopic = this.makeTopic(config);
    if (config.dashboard) {
      this.dashboard = new Dashboard(this, 'Dashboard', {
        dashboardName: `${config.name}-platform`,
        defaultInterval: Duration.hours(24),
      });
      this.dashboard.addWidgets(...this.makeWidgets(prefix, props.apiId));
    }
    this.makeAlarms(this.executionsFailed(config), props.functionNames ?? {}, props.deadLetterQueueNames ?? []);
  }

  /**
   * Failed executions of Orrery's state machines, summed with plain metric math over their known ARNs (names.ts).
   * Not a Metrics Insights query: its WHERE clause has no documented prefix match, and an alarm on a query
   * that matches nothing would stay OK forever.
   */
  private executionsFailed(config: InfraConfig): IMetric {
    const keys = Object.keys(STATE_MACHINES) as (keyof typeof STATE_MACHINES)[];
    const usingMetrics = Object.fromEntries(
      keys.map((key) => [
        key.toLowerCase(),
        new Metric({
          namespace: 'AWS/States',
          metricName: 'ExecutionsFailed',
          dimensionsMap: { StateMachineArn: stateMachineArn(this, config, key) },
          statistic: 'Sum',
          period: Duration.minutes(15),
        }),
      ]),
    );
    return new MathExpression({
      expression: Object.keys(usingMetrics)
        .map((id) => `FILL(${id}, 0)`)
        .join(' + '),
      usingMetrics,
      label: 'State machine executions failed',
      period: Duration.minutes(15),
    });
  }

  /**
   * The alarm topic, encrypted with a key CloudWatch alarms may use (the AWS-managed SNS key does not allow them).
   * CloudWatch may use the key and publish to the topic only for alarms of this account and region: the
   * confused-deputy guard, so another account's alarm cannot go through this service principal.
   */
  private makeTopic(config: InfraConfig): Topic {
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const ownAlarms = {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: {
        'aws:SourceArn': this.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    const key = new Key(this, 'AlarmTopicKey', { description: `${config.name} alarm topic`, enableKeyRotation: true });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: ownAlarms,
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: `${config.name} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    // The topic's policy replaces SNS's default one, so the alarms' right to publish is said here, on the same terms.
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: ownAlarms,
      }),
    );
    if (config.alarmEmail) topic.addSubscription(new EmailSubscription(config.alarmEmail));
    return topic;
  }

  /**
   * Active servers by pool, runs and their duration, culls, launches, API (when its id is known), Lambda errors and
   * failed executions.
   */
  private makeWidgets(prefix: string, apiId: string | undefined): IWidget[] {
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 12, height: 6 });
    const duration = (statistic: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'RunDuration',
        statistic,
        period: Duration.minutes(15),
        label: `Run duration ${statistic} (s)`,
      });
    const widgets: IWidget[] = [
      // The culler publishes the gauge once per sweep (every 5 minutes), one series per Pool dimension value.
      graph('Active servers by pool', [
        new MathExpression({
          // FILL: the culler publishes no zeros (each hour with a value is billed), so a pool's line drops to 0
          // where it has no point rather than staying at its last count.
          expression: `FILL(SEARCH('{${METRICS_NAMESPACE},Pool} MetricName="ActiveServers"', 'Maximum', 300), 0)`,
          label: 'Active servers',
          usingMetrics: {},
        }),
      ]),
      graph('Runs', [count('RunsStarted'), count('RunsCompleted'), count('RunsFailed'), count('RunsStopped')]),
      graph('Run duration', [duration('p50'), duration('p90'), duration('Maximum')]),
      graph('Culls and warnings', [
        count('Culls'),
        count('CullWarnings'),
        count('CullProblems'),
        count(CULL_BREAKER_METRIC),
      ]),
      graph('Server launches', [count('ServersStarted'), count('ServerLaunchesFailed')]),
    ];
    if (apiId) {
      const api = (metricName: string, statistic: string) =>
        new Metric({
          namespace: 'AWS/ApiGateway',
          metricName,
          dimensionsMap: { ApiId: apiId },
          statistic,
          period: Duration.minutes(5),
        });
      widgets.push(
        graph('API errors', [api('4xx', 'Sum'), api('5xx', 'Sum')]),
        graph('API latency', [api('Latency', 'p50'), api('Latency', 'p99')]),
      );
    }
    const search = (namespaceAndDimension: string, metricName: string, filter: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{${namespaceAndDimension}} MetricName="${metricName}" ${filter}', 'Sum', 300)`,
        label,
        usingMetrics: {},
      });
    // Unquoted values are partial (token) matches in SEARCH; quoted ones would match only a name equal to the prefix.
    const name = prefix.slice(0, -1);
    widgets.push(
      graph('Lambda errors', [search('AWS/Lambda,FunctionName', 'Errors', `FunctionName=${name}`, 'Errors')]),
      graph('State machine executions failed', [
        search('AWS/States,StateMachineArn', 'ExecutionsFailed', `StateMachineArn=${name}`, 'ExecutionsFailed'),
      ]),
    );
    return widgets;
  }

  /**
   * Failure rate, Lambda errors (per function group), failed executions, dead letters and the culler's breaker, all to
   * the alarm topic.
   */
  private makeAlarms(
    executionsFailed: IMetric,
    functionNames: Record<string, string[]>,
    deadLetterQueueNames: string[],
  ): void {
    const action = new SnsAction(this.alarmTopic);
    const alarm = (
      id: string,
      description: string,
      metric: IMetric,
      threshold: number,
      comparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
    ) => {
      const made = new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      made.addAlarmAction(action);
      made.addOkAction(action);
      return made;
    };
    const hour = Duration.hours(1);
    alarm(
      'RunFailureRate',
      'More than 20% of the runs that ended in the last hour failed.',
      new MathExpression({
        // FILL(…, 0) so an hour with failures and no completions still yields a rate instead of no data.
        expression:
          'IF((FILL(completed, 0) + FILL(failed, 0)) > 0, FILL(failed, 0) / (FILL(completed, 0) + FILL(failed, 0)), 0)',
        usingMetrics: { completed: count('RunsCompleted', hour), failed: count('RunsFailed', hour) },
        label: 'Run failure rate',
        period: hour,
      }),
      0.2,
    );
    for (const [group, names] of Object.entries(functionNames)) {
      if (names.length === 0) continue;
      if (names.length > ALARM_METRICS_LIMIT)
        throw new Error(
          `the ${group} functions are ${names.length}; ` +
            `one alarm may combine at most ${ALARM_METRICS_LIMIT} metrics: split the group`,
        );
      const usingMetrics = Object.fromEntries(
        names.map((functionName, i) => [
          `f${i}`,
          new Metric({
            namespace: 'AWS/Lambda',
            metricName: 'Errors',
            dimensionsMap: { FunctionName: functionName },
            statistic: 'Sum',
            period: Duration.minutes(5),
          }),
        ]),
      );
      const errors = new MathExpression({
        expression: Object.keys(usingMetrics)
          .map((id) => `FILL(${id}, 0)`)
          .join(' + '),
        usingMetrics,
        label: `Lambda errors (${group})`,
        period: Duration.minutes(5),
      });
      alarm(
        `LambdaErrors${group.charAt(0).toUpperCase()}${group.slice(1)}`,
        `More than 5 Lambda errors in 5 minutes across Orrery's ${group} functions.`,
        errors,
        5,
      );
    }
    alarm('ExecutionsFailed', 'More than 3 workflow executions failed in 15 minutes.', executionsFailed, 3);
    for (const [i, queueName] of deadLetterQueueNames.entries()) {
      alarm(
        `DeadLetters${i}`,
        `Messages are waiting in the dead-letter queue ${queueName}.`,
        new Metric({
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensionsMap: { QueueName: queueName },
          statistic: 'Maximum',
          period: Duration.minutes(5),
        }),
        0,
      );
    }
    // The culler held back heartbeat culls because too many servers missed their reports at once: the platform (the
    // activity route, its throttle, the network) is failing, not the users. Someone should look before it clears.
    const breaker =
      'The idle culler held back heartbeat culls: too many servers missed their activity reports in one sweep ' +
      '(a flood of the activity route, its throttle, or a network fault?).';
    alarm(
      'CullBreakerTripped',
      breaker,
      count(CULL_BREAKER_METRIC),
      1,
      ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    );
  }
}
