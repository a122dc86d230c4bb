import { type CfnElement, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';
import { OrreryFunction } from '../constructs/orrery-function.ts';
import { stateMachineArn } from '../names.ts';
import type { DataStack } from './data-stack.ts';
import {
  acknowledge,
  clusterArn,
  FUNCTION_FINDINGS,
  functionEnvironment,
  grantSlackWebhookSecret,
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

/** The culler's schedule and the schedule group (with its DLQ) for notebook reruns. */
export class SchedulesStack extends Stack {
  /** Roles that call the Kubernetes API (the culler's). */
  readonly clusterRoles: IRole[] = [];
  /** Where rerun schedules put invocations that failed every retry. */
  readonly deadLetterQueue: IQueue;
  /** Where the culler's schedule puts invocations that failed every retry. */
  readonly cullDeadLetterQueue: IQueue;
  /** The group rerun schedules are created in (a later capability creates them). */
  readonly rerunGroup: ScheduleGroup;
  /** The role rerun schedules run as: it may only start the run state machine (and report to the DLQ). */
  readonly rerunRole: IRole;
  /** The idle culler's Lambda. */
  readonly culler: OrreryFunction;

  constructor(scope: Construct, id: string, props: SchedulesStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const dlq = (qid: string) => {
      const queue = new Queue(this, qid, {
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
    grantSlackWebhookSecret(culler, config);
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

    this.rerunGroup = new ScheduleGroup(this, 'RerunGroup', { scheduleGroupName: `${config.name}-reruns` });
    this.deadLetterQueue = dlq('RerunDeadLetterQueue');
    const rerunRole = new Role(this, 'RerunSchedulerRole', {
      description: 'Runs notebook rerun schedules: starts the run state machine, nothing else',
      // Only schedules of this account (and this group) may assume it: the confused-deputy guard Scheduler documents.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'scheduler',
              resource: 'schedule',
              resourceName: `${config.name}-reruns/*`,
            }),
          },
        },
      }),
    });
    rerunRole.addToPolicy(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn(this, config, 'run')] }),
    );
    // Scheduler sends undeliverable invocations to the DLQ with the schedule's own role.
    this.deadLetterQueue.grantSendMessages(rerunRole);
    this.rerunRole = rerunRole;
  }
}
