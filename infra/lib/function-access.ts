import { ArnFormat, CfnElement, Fn, Stack, Validations } from 'aws-cdk-lib';
import { type ISecurityGroup, type IVpc, Peer, Port, SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { CfnFunction, type Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { TABLE_DESIGN } from '#functions/contracts';
import type { InfraConfig } from './config.ts';
import { scheduleArns, stateMachineArn } from './names.ts';
import type { DataStack } from './stacks/data-stack.ts';

/** The environment every Orrery function reads (functions/src/config/config.ts); the API adds its claim names. */
export const functionEnvironment = (
  scope: Stack,
  config: InfraConfig,
  data: DataStack,
  apiUrl: string,
): Record<string, string> => ({
  ORRERY_TABLE: data.table.tableName,
  ORRERY_BUCKET: data.bucket.bucketName,
  ORRERY_EKS_CLUSTER: config.eks.clusterName,
  ORRERY_EKS_ENDPOINT: config.eks.endpoint,
  ORRERY_EKS_CA: config.eks.certificateAuthority,
  ORRERY_SERVER_NAMESPACE: config.eks.serverNamespace,
  ORRERY_SERVER_SERVICE_ACCOUNT: config.eks.serverServiceAccount,
  ORRERY_SERVER_PUBLIC_URL: config.serverPublicUrl,
  ORRERY_REPORTER_IMAGE: config.images.reporter,
  ORRERY_PUBLIC_API_URL: apiUrl,
  ORRERY_RUNNER_IMAGE: config.images.runner,
  ORRERY_RUNNER_NAMESPACE: config.eks.runnerNamespace,
  ORRERY_RUNNER_SERVICE_ACCOUNT: config.eks.runnerServiceAccount,
  ORRERY_RUN_STATE_MACHINE_ARN: stateMachineArn(scope, config, 'run'),
  ORRERY_STOP_RUN_STATE_MACHINE_ARN: stateMachineArn(scope, config, 'stopRun'),
  ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN: stateMachineArn(scope, config, 'launchServer'),
  // For JupyterLab's links to the portal. Only a domain of its own is known here: CloudFront's comes from the web
  // stack, which is built after the stacks whose functions read this.
  ...(config.portal.domainName && config.portal.certificateArn
    ? { ORRERY_PORTAL_URL: `https://${config.portal.domainName}` }
    : {}),
  ...(config.sparkHistoryUrl ? { ORRERY_SPARK_HISTORY_URL: config.sparkHistoryUrl } : {}),
  ...(config.sparkMonitoringUrl ? { ORRERY_SPARK_MONITORING_URL: config.sparkMonitoringUrl } : {}),
});

/** The ARN of the configured EKS cluster (for eks:DescribeCluster). */
export const clusterArn = (scope: Stack, config: InfraConfig): string =>
  scope.formatArn({ service: 'eks', resource: 'cluster', resourceName: config.eks.clusterName });

/** Acknowledges cdk-nag findings on a construct, each with the reason a reviewer reads. */
export const acknowledge = (scope: IConstruct, findings: Record<string, string>): void =>
  Validations.of(scope).acknowledge(...Object.entries(findings).map(([id, reason]) => ({ id, reason })));

/** The cdk-nag findings every OrreryFunction raises, with why they are acceptable. */
export const FUNCTION_FINDINGS: Record<string, string> = {
  'AwsSolutions-IAM5[Resource::*]':
    'X-Ray PutTraceSegments/PutTelemetryRecords accept no resource but *; ' +
    'so do the EC2 network-interface calls Lambda makes for a function in a VPC.',
};

/**
 * How cdk-nag names an ARN in its findings: `<LogicalId.Arn>` in the same stack, the export's name across stacks.
 * exportValue makes the very export the cross-stack reference would make (CDK dedups it), so naming it adds nothing.
 */
export const nagArn = (consumer: IConstruct, resource: IConstruct, arn: string): string => {
  const producer = Stack.of(resource);
  const cfn = resource.node.defaultChild;
  if (producer === Stack.of(consumer))
    return cfn instanceof CfnElement ? `<${producer.getLogicalId(cfn)}.Arn>` : '<unknown.Arn>';
  const imported = Stack.of(consumer).resolve(producer.exportValue(arn)) as { 'Fn::ImportValue'?: string };
  return imported['Fn::ImportValue'] ?? '<unknown.Arn>';
};

/**
 * How cdk-nag writes a string built from pseudo parameters: each `Ref` as `<Name>`. Whether the partition, region
 * and account are tokens or literals depends on the stack's env and flags, so the text is derived, not spelled.
 */
export const nagText = (scope: IConstruct, text: string): string => {
  const resolved = Stack.of(scope).resolve(text) as string | { 'Fn::Join': [string, unknown[]] };
  if (typeof resolved === 'string') return resolved;
  const [separator, parts] = resolved['Fn::Join'];
  return parts.map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`)).join(separator);
};

/** The item reads the DynamoDB adapters make (no Scan). */
export const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
/** The item writes the DynamoDB adapters make. */
export const TABLE_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

/**
 * Item access on Orrery's table and each of its indexes by name (TABLE_DESIGN), nothing wider: by default the
 * reads and writes the DynamoDB adapters make (no Scan); read-only functions pass TABLE_READ.
 */
export const grantTableItems = (
  fn: IGrantable,
  data: DataStack,
  actions: readonly string[] = [...TABLE_READ, ...TABLE_WRITE],
): void => {
  const indexes = TABLE_DESIGN.indexes.map((index) => `${data.table.tableArn}/index/${index.name}`);
  fn.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...actions], resources: [data.table.tableArn, ...indexes] }),
  );
};

/**
 * The key prefixes of the notebooks bucket, as the S3 adapters write them: version bodies (`bodies/<sha256>`),
 * presigned uploads (`uploads/<notebook>/<upload>`), run inputs and outputs (`runs/<run>/…`) and the cache of
 * rendered HTML (`rendered/…`).
 */
export const BUCKET_PREFIXES = ['bodies/', 'uploads/', 'runs/', 'rendered/'] as const;

/** One of the notebooks bucket's key prefixes. */
export type BucketPrefix = (typeof BUCKET_PREFIXES)[number];

/**
 * Object access in Orrery's bucket, prefix by prefix: each prefix gets exactly the actions named for it, and no
 * other key can be touched. Keys under a prefix are made at run time (hashes, ids), so each grant is `<prefix>*`.
 */
export const grantBucketObjects = (
  fn: IGrantable & IConstruct,
  data: DataStack,
  access: Partial<Record<BucketPrefix, readonly string[]>>,
): void => {
  for (const [prefix, actions] of Object.entries(access)) {
    const resource = data.bucket.arnForObjects(`${prefix}*`);
    fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources: [resource] }));
    acknowledge(fn, {
      [`AwsSolutions-IAM5[Resource::${nagArn(fn, data.bucket, data.bucket.bucketArn)}/${prefix}*]`]:
        `Keys under ${prefix} (content hashes, ids) are made at run time; ` +
        'access is limited to that prefix of this one bucket and the use cases authorize each key.',
    });
  }
};

/**
 * Lets a function sign and check list cursors: the secret's ARN in its environment (loadCloudConfig reads the
 * value at cold start, so it never appears in the function's configuration) and GetSecretValue on that one
 * secret. Only the functions that serve lists get it (LISTING_GROUPS for the API).
 */
export const grantCursorSecret = (fn: LambdaFunction, data: DataStack): void => {
  fn.addEnvironment('ORRERY_CURSOR_SECRET_ARN', data.cursorSecret.secretArn);
  fn.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [data.cursorSecret.secretArn] }),
  );
};

/**
 * A function's access to the Slack webhook secret named in the config (the culler's notices, a high-cost Spark
 * session's): the variable loadCloudConfig reads it by,
 * and GetSecretValue on that one secret (`-??????` is the random suffix Secrets Manager adds to a name's ARN).
 * Without `slackWebhookSecretName`, nothing: cull notices are only logged.
 */
export const grantSlackWebhookSecret = (fn: LambdaFunction, config: InfraConfig): void => {
  const name = config.slackWebhookSecretName;
  if (!name) return;
  const scope = Stack.of(fn);
  fn.addEnvironment('ORRERY_SLACK_WEBHOOK_SECRET_NAME', name);
  const arn = scope.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${name}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [arn] }),
  );
  // cdk-nag names the resource with the ARN's tokens in angle brackets.
  const secrets = 'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret';
  acknowledge(fn, {
    [`AwsSolutions-IAM5[Resource::${secrets}:${name}-??????]`]:
      "The six characters Secrets Manager appends to a secret's name; " +
      'the ARN names exactly the configured Slack webhook secret.',
  });
};

/**
 * A function's access to everything notices go to: the Slack webhook secret (above) and each named destination
 * (`notifyDestinations`): ORRERY_NOTIFY_DESTINATIONS, and GetSecretValue on exactly those secrets.
 */
export const grantNotices = (fn: LambdaFunction, config: InfraConfig): void => {
  grantSlackWebhookSecret(fn, config);
  const destinations = config.notifyDestinations ?? [];
  if (destinations.length === 0) return;
  const scope = Stack.of(fn);
  fn.addEnvironment('ORRERY_NOTIFY_DESTINATIONS', JSON.stringify(destinations));
  const arnOf = (name: string) =>
    scope.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${name}-??????`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  const names = [...new Set(destinations.map((d) => d.secret))];
  fn.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: names.map(arnOf) }),
  );
  const secrets = 'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret';
  acknowledge(
    fn,
    Object.fromEntries(
      names.map((name) => [
        `AwsSolutions-IAM5[Resource::${secrets}:${name}-??????]`,
        "The six characters Secrets Manager appends to a secret's name; the ARN names exactly one destination's secret.",
      ]),
    ),
  );
};

/** What the API's schedules function does with Scheduler schedules: save, pause, delete, and check them. */
export const SCHEDULE_MANAGEMENT = [
  'scheduler:CreateSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
  'scheduler:GetSchedule',
] as const;

/**
 * Lets a function write Scheduler schedules in Orrery's group and nowhere else: the calendar's variables (the
 * group, the execution role, the fire function, the DLQ, all named by construction: names.ts), the given actions
 * on the group's schedules only, and iam:PassRole of exactly the execution role, to Scheduler only (so the
 * function can hand schedules no other role, and the role to no other service).
 */
export const grantScheduleCalendar = (fn: LambdaFunction, config: InfraConfig, actions: readonly string[]): void => {
  const arns = scheduleArns(Stack.of(fn), config);
  fn.addEnvironment('ORRERY_SCHEDULE_GROUP', arns.groupName);
  fn.addEnvironment('ORRERY_SCHEDULER_ROLE_ARN', arns.schedulerRole);
  fn.addEnvironment('ORRERY_SCHEDULE_TARGET_ARN', arns.fireFunction);
  fn.addEnvironment('ORRERY_SCHEDULE_DLQ_ARN', arns.deadLetterQueue);
  fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources: [arns.schedules] }));
  fn.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [arns.schedulerRole],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );
  acknowledge(fn, {
    [`AwsSolutions-IAM5[Resource::${nagText(fn, arns.schedules)}]`]:
      'Scheduler schedules are named by Orrery schedule ids made at run time; the grant covers the schedules of ' +
      "Orrery's one group and no other.",
  });
};

/**
 * Where a function that calls the Kubernetes API runs when `vpc` is configured: the private subnets and an egress-443
 * security group.
 */
export interface VpcPlacement {
  vpc: IVpc;
  /** Ids only: imported subnet constructs without route tables would warn on every synth. */
  subnetIds: string[];
  securityGroups: ISecurityGroup[];
}

const placements = new WeakMap<Stack, VpcPlacement>();

/**
 * The VPC placement of one stack's Kubernetes clients, or undefined without `vpc` in the config (one security
 * group per stack, made on first use). The security group allows only HTTPS out: the cluster endpoint, AWS APIs
 * through NAT or VPC endpoints, and the Slack webhook. Nothing may connect in.
 */
export const vpcPlacement = (scope: IConstruct, config: InfraConfig): VpcPlacement | undefined => {
  if (!config.vpc) return undefined;
  const stack = Stack.of(scope);
  const made = placements.get(stack);
  if (made) return made;
  const { vpcId, privateSubnetIds } = config.vpc;
  // From attributes, not Vpc.fromLookup: synth stays offline. Only the ids reach the template. The zone is a
  // token nothing reads (no subnet constructs): `stack.availabilityZones` would be a context lookup, which
  // `cdk synth` refuses without AWS credentials.
  const vpc = Vpc.fromVpcAttributes(stack, 'OrreryVpc', { vpcId, availabilityZones: [Fn.select(0, Fn.getAzs())] });
  const group = new SecurityGroup(stack, 'KubernetesClientSecurityGroup', {
    vpc,
    allowAllOutbound: false,
    description: `${config.name}: functions that call the Kubernetes API (HTTPS out only)`,
  });
  group.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to the EKS endpoint and AWS APIs');
  const placement = { vpc, subnetIds: [...privateSubnetIds], securityGroups: [group] };
  placements.set(stack, placement);
  return placement;
};

/**
 * Puts a function in the placement's subnets (nothing without one), with the network-interface permissions Lambda
 * checks for at creation. Set on the function resource, so it does not depend on the function's construct options.
 */
export const placeInVpc = (fn: IFunction & IConstruct, placement: VpcPlacement | undefined): void => {
  if (!placement) return;
  const cfn = fn.node.defaultChild;
  if (!(cfn instanceof CfnFunction)) throw new Error(`${fn.node.path} is not a Lambda function resource`);
  cfn.vpcConfig = {
    subnetIds: placement.subnetIds,
    securityGroupIds: placement.securityGroups.map((g) => g.securityGroupId),
  };
  // What AWSLambdaVPCAccessExecutionRole grants, inline: the managed policy is dropped with the others.
  fn.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      resources: ['*'],
    }),
  );
};
