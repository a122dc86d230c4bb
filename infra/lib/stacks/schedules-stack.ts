import { type CfnElement, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleGroup, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';
import { OrreryFunction } from '../constructs/orrery-function.ts';
import { scheduleNames, stateMachineArn } from '../names.ts';
import type { DataStack } from './data-stack.ts';
import {
  acknowledge,
  clusterArn,
  FUNCTION_FINDINGS,
  functionEnvironment,
  grantScheduleCalendar,
  grantNotices,
  grantTableItems,
  placeInVpc,
  vpcPlacement,
} from '../function-access.ts';

/** What the schedules stack needs. */
export interface SchedulesStackProps extends StackProps {
  config: InfraConfig;
  data: DataStack;
  apiUrl: string;
}

const DLQ_FINDING = {
  'AwsSolutions-SQS3':
    'This queue is itself a dead-letter queue; a DLQ of a DLQ only moves the problem. Its depth is alarmed on.',
};

/**
 * The culler's schedule, and notebook schedules' cloud half: the group the API writes one Scheduler schedule per
 * Orrery schedule into, the role those schedules run as, the fire function they invoke, and their DLQ.
 */
export class SchedulesStack extends Stack {
  /** Roles that call the Kubernetes API (the culler's). */
  readonly clusterRoles: IRole[] = [];
  /** Where due times go that could not be fired: Scheduler's undeliverable invocations and the fire's failures. */
  readonly deadLetterQueue: IQueue;
  /** Where the culler's schedule puts invocations that failed every retry. */
  readonly cullDeadLetterQueue: IQueue;
  /** The group notebook schedules (and their one-time retries) are created in, by the API and the fire function. */
  readonly rerunGroup: ScheduleGroup;
  /** The role notebook schedules run as: it may only invoke the fire function (and report to the DLQ). */
  readonly rerunRole: IRole;
  /** The schedules' target: records each due time once, then starts its run. */
  readonly fire: OrreryFunction;
  /** The idle culler's Lambda. */
  readonly culler: OrreryFunction;

  constructor(scope: Construct, id: string, props: SchedulesStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const dlq = (qid: string, queueName?: string) => {
      const queue = new Queue(this, qid, {
        queueName,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(queue, DLQ_FINDING);
      return queue;
    };

    // The Slack webhook is a secret: the culler gets its name and reads the URL at cold start (loadCloudConfig).
    const culler = new OrreryFunction(this, 'CullIdle', {
      entry: 'functions/src/handlers/scheduled/cull-idle-lambda.ts',
      description: "The idle culler: warns, then stops servers idle past their profile's limit",
      environment: functionEnvironment(this, config, data, props.apiUrl),
      profilesFile: config.profilesFile,
      sparkPoolsFile: config.sparkPoolsFile,
      timeout: Duration.minutes(4),
    });
    this.culler = culler;
    // No cursor secret: the culler serves no list.
    grantTableItems(culler, data);
    grantNotices(culler, config);
    placeInVpc(culler, vpcPlacement(this, config));
    culler.addToRolePolicy(
      new PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [clusterArn(this, config)] }),
    );
    acknowledge(culler, FUNCTION_FINDINGS);
    this.clusterRoles.push(culler.role!);

    this.cullDeadLetterQueue = dlq('CullDeadLetterQueue');
    const cullRole = new Role(this, 'CullSchedulerRole', {
      description: 'Runs the culler schedule: invokes the culler, reports to its DLQ',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    acknowledge(cullRole, {
      [`AwsSolutions-IAM5[Resource::<${this.getLogicalId(culler.node.defaultChild as CfnElement)}.Arn>:*]`]:
        'The scheduler target grants lambda:InvokeFunction on the culler and its versions (ARN:*); it is one function.',
    });
    // A sweep older than the next one is worth nothing: retry briefly, then leave it to the DLQ and the next tick.
    new Schedule(this, 'CullSchedule', {
      description: 'One idle-culler sweep every 5 minutes',
      schedule: ScheduleExpression.rate(Duration.minutes(5)),
      target: new LambdaInvoke(culler, {
        role: cullRole,
        deadLetterQueue: this.cullDeadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(4),
      }),
    });

    const names = scheduleNames(config);
    this.rerunGroup = new ScheduleGroup(this, 'RerunGroup', { scheduleGroupName: names.group });
    this.deadLetterQueue = dlq('RerunDeadLetterQueue', names.deadLetterQueue);
    this.fire = this.makeFireFunction(props, this.deadLetterQueue);
    // The name is the API's by construction (names.ts): its schedules function passes this role to Scheduler.
    const rerunRole = new Role(this, 'RerunSchedulerRole', {
      roleName: names.schedulerRole,
      description: 'Runs notebook schedules: invokes the fire function, nothing else',
      // Only schedules of this account (and this group) may assume it: the confused-deputy guard Scheduler documents.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'scheduler',
              resource: 'schedule',
              resourceName: `${names.group}/*`,
            }),
          },
        },
      }),
    });
    // The unqualified function only (no `:*`): schedules target it by that ARN, never a version or alias.
    rerunRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fire.functionArn] }),
    );
    // Scheduler sends undeliverable invocations to the DLQ with the schedule's own role.
    this.deadLetterQueue.grantSendMessages(rerunRole);
    this.rerunRole = rerunRole;
    this.makeDigestSchedule();
  }

  /**
   * The daily digest of yesterday's scheduled runs (for owners who asked), sent by the fire function at 07:00 UTC,
   * with a role of its own (the Orrery schedules' role stays exactly theirs).
   */
  private makeDigestSchedule(): void {
    const role = new Role(this, 'DigestSchedulerRole', {
      description: 'Runs the daily digest schedule: invokes the fire function, reports to the DLQ',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    acknowledge(role, {
      [`AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.fire.node.defaultChild as CfnElement)}.Arn>:*]`]:
        'The scheduler target grants lambda:InvokeFunction on the fire function and its versions (ARN:*); it is one ' +
        'function.',
    });
    new Schedule(this, 'DigestSchedule', {
      description: "The daily digest of yesterday's scheduled runs, for owners who asked for it",
      schedule: ScheduleExpression.cron({ minute: '0', hour: '7' }),
      target: new LambdaInvoke(this.fire, {
        role,
        input: ScheduleTargetInput.fromObject({ digest: true }),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });
  }

  /**
   * The fire function: the records, starting runs, notifying owners, and one-time retry schedules in the group (it
   * may create them, passing the execution role, and nothing else in Scheduler). Scheduler invokes Lambda
   * asynchronously, so a fire that fails is retried by Lambda and then sent to the same DLQ Scheduler uses: every
   * due time that was never fired waits in one alarmed queue.
   */
  private makeFireFunction(props: SchedulesStackProps, deadLetterQueue: IQueue): OrreryFunction {
    const { config, data } = props;
    const fire = new OrreryFunction(this, 'FireSchedule', {
      entry: 'functions/src/handlers/scheduled/fire-schedule-lambda.ts',
      description: "Fires a schedule's due time once: records it, then starts its run",
      environment: functionEnvironment(this, config, data, props.apiUrl),
      profilesFile: config.profilesFile,
      // A schedule with a role checks, at each fire, that its owner still holds it.
      rolesFile: config.rolesFile,
      sparkPoolsFile: config.sparkPoolsFile,
      functionName: scheduleNames(config).fireFunction,
      timeout: Duration.minutes(1),
    });
    grantTableItems(fire, data);
    fire.addToRolePolicy(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn(this, config, 'run')] }),
    );
    grantNotices(fire, config);
    grantScheduleCalendar(fire, config, ['scheduler:CreateSchedule']);
    // A due time an hour late is left to the DLQ's alarm and the missed policy rather than fired later still.
    fire.configureAsyncInvoke({
      onFailure: new SqsDestination(deadLetterQueue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
    });
    acknowledge(fire, FUNCTION_FINDINGS);
    return fire;
  }
}
