import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { InfraConfig } from './config.ts';
import { stateMachineArn } from './names.ts';
import type { DataStack } from './stacks/data-stack.ts';

/** The environment every Orrery function reads (functions/src/shared/config.ts); the API adds its claim names. */
export const functionEnvironment = (scope: Stack, config: InfraConfig, data: DataStack, apiUrl: string): Record<string, string> => ({
  ORRERY_TABLE: data.table.tableName,
  ORRERY_BUCKET: data.bucket.bucketName,
  // unsafeUnwrap renders a CloudFormation dynamic reference ({{resolve:secretsmanager:…}}), resolved at
  // deploy time: the secret's value never appears in the template or the cloud assembly.
  ORRERY_CURSOR_SECRET: data.cursorSecret.secretValue.unsafeUnwrap(),
  ORRERY_EKS_CLUSTER: config.eks.clusterName,
  ORRERY_EKS_ENDPOINT: config.eks.endpoint,
  ORRERY_EKS_CA: config.eks.certificateAuthority,
  ORRERY_SERVER_NAMESPACE: config.eks.namespace,
  ORRERY_SERVER_SERVICE_ACCOUNT: config.eks.serverServiceAccount,
  ORRERY_SERVER_PUBLIC_URL: config.serverPublicUrl,
  ORRERY_REPORTER_IMAGE: config.images.reporter,
  ORRERY_PUBLIC_API_URL: apiUrl,
  ORRERY_RUNNER_IMAGE: config.images.runner,
  ORRERY_RUNNER_NAMESPACE: config.eks.namespace,
  ORRERY_RUNNER_SERVICE_ACCOUNT: config.eks.runnerServiceAccount,
  ORRERY_RUN_STATE_MACHINE_ARN: stateMachineArn(scope, config, 'run'),
  ORRERY_STOP_RUN_STATE_MACHINE_ARN: stateMachineArn(scope, config, 'stopRun'),
  ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN: stateMachineArn(scope, config, 'launchServer'),
});

/** The ARN of the configured EKS cluster (for eks:DescribeCluster). */
export const clusterArn = (scope: Stack, config: InfraConfig): string =>
  scope.formatArn({ service: 'eks', resource: 'cluster', resourceName: config.eks.clusterName });

/** Acknowledges cdk-nag findings on a construct, each with the reason a reviewer reads. */
export const acknowledge = (scope: IConstruct, findings: Record<string, string>): void =>
  Validations.of(scope).acknowledge(...Object.entries(findings).map(([id, reason]) => ({ id, reason })));

/** The cdk-nag findings every OrreryFunction raises, with why they are acceptable. */
export const FUNCTION_FINDINGS: Record<string, string> = {
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
    'The AWS-managed basic execution policy only lets the function write its own CloudWatch logs.',
  'AwsSolutions-IAM5[Resource::*]': 'X-Ray PutTraceSegments/PutTelemetryRecords accept no resource but *.',
};

/**
 * How cdk-nag names an ARN in its findings: `<LogicalId.Arn>` in the same stack, the export's name across stacks.
 * exportValue makes the very export the cross-stack reference would make (CDK dedups it), so naming it adds nothing.
 */
export const nagArn = (consumer: IConstruct, resource: IConstruct, arn: string): string => {
  const producer = Stack.of(resource);
  const cfn = resource.node.defaultChild;
  if (producer === Stack.of(consumer)) return cfn instanceof CfnElement ? `<${producer.getLogicalId(cfn)}.Arn>` : '<unknown.Arn>';
  const imported = Stack.of(consumer).resolve(producer.exportValue(arn)) as { 'Fn::ImportValue'?: string };
  return imported['Fn::ImportValue'] ?? '<unknown.Arn>';
};

/** The item reads the DynamoDB adapters make (no Scan). */
export const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
/** The item writes the DynamoDB adapters make. */
export const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

/** Item reads and writes on Orrery's table and its indexes: only the calls the DynamoDB adapters make (no Scan). */
export const grantTableItems = (fn: IGrantable & IConstruct, data: DataStack): void => {
  fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({
    actions: [...TABLE_READ, ...TABLE_WRITE],
    resources: [data.table.tableArn, `${data.table.tableArn}/index/*`],
  }));
  acknowledge(fn, { [`AwsSolutions-IAM5[Resource::${nagArn(fn, data.table, data.table.tableArn)}/index/*]`]: "Queries on the table's own GSIs (the access patterns in DESIGN.md); the table holds only Orrery's items." });
};

/** Object reads and writes in Orrery's bucket (notebook bodies, run inputs and outputs; keys are made by the server). */
export const grantBucketObjects = (fn: IGrantable & IConstruct, data: DataStack): void => {
  fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [data.bucket.arnForObjects('*')] }));
  acknowledge(fn, { [`AwsSolutions-IAM5[Resource::${nagArn(fn, data.bucket, data.bucket.bucketArn)}/*]`]: 'Object keys are content hashes and run ids made at run time; the bucket holds only Orrery\'s bodies and outputs.' });
};
