import { readdirSync } from 'node:fs';
import { CfnElement, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct, IConstruct } from 'constructs';
import { placeholdersOf, readAsl, STATEMACHINES_DIR, substitute } from '../../../functions/src/shared/asl.ts';
import type { InfraConfig } from '../config.ts';
import { OrreryFunction } from '../constructs/orrery-function.ts';
import { STATE_MACHINES, stateMachineArn, stateMachineName } from '../names.ts';
import type { DataStack } from './data-stack.ts';

/** What the workflows stack needs. */
export interface WorkflowsStackProps extends StackProps {
  config: InfraConfig;
  data: DataStack;
  apiUrl: string;
}

type MachineKey = keyof typeof STATE_MACHINES;

/** The environment every task-side function reads (functions/src/shared/config.ts); the culler shares it. */
export const taskEnvironment = (scope: Stack, config: InfraConfig, data: DataStack, apiUrl: string): Record<string, string> => ({
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
const nagArn = (consumer: IConstruct, resource: IConstruct, arn: string): string => {
  const producer = Stack.of(resource);
  const cfn = resource.node.defaultChild;
  if (producer === Stack.of(consumer)) return cfn instanceof CfnElement ? `<${producer.getLogicalId(cfn)}.Arn>` : '<unknown.Arn>';
  const imported = Stack.of(consumer).resolve(producer.exportValue(arn)) as { 'Fn::ImportValue'?: string };
  return imported['Fn::ImportValue'] ?? '<unknown.Arn>';
};

/** Item reads and writes on Orrery's table and its indexes: only the calls the DynamoDB adapters make (no Scan). */
export const grantTableItems = (fn: IGrantable & IConstruct, data: DataStack): void => {
  fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({
    actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    resources: [data.table.tableArn, `${data.table.tableArn}/index/*`],
  }));
  acknowledge(fn, { [`AwsSolutions-IAM5[Resource::${nagArn(fn, data.table, data.table.tableArn)}/index/*]`]: "Queries on the table's own GSIs (the access patterns in DESIGN.md); the table holds only Orrery's items." });
};

/** Object reads and writes in Orrery's bucket (notebook bodies, run inputs and outputs; keys are made by the server). */
export const grantBucketObjects = (fn: IGrantable & IConstruct, data: DataStack): void => {
  fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [data.bucket.arnForObjects('*')] }));
  acknowledge(fn, { [`AwsSolutions-IAM5[Resource::${nagArn(fn, data.bucket, data.bucket.bucketArn)}/*]`]: 'Object keys are content hashes and run ids made at run time; the bucket holds only Orrery\'s bodies and outputs.' });
};

/** Which state machine a file in statemachines/ is; an unknown file stops synth naming the known ones. */
export const machineKeyOf = (file: string): MachineKey => {
  const name = file.replace(/\.asl\.json$/, '');
  const key = (Object.keys(STATE_MACHINES) as MachineKey[]).find((k) => STATE_MACHINES[k] === name);
  if (!key) throw new Error(`statemachines/${file} is not a known state machine; known: ${Object.values(STATE_MACHINES).join(', ')} (add it to STATE_MACHINES in infra/lib/names.ts)`);
  return key;
};

/** Every file in statemachines/ as a Standard state machine, and the task Lambdas they call. */
export class WorkflowsStack extends Stack {
  /** Roles that call the Kubernetes API (task Lambdas, the state machines' roles). */
  readonly clusterRoles: IRole[] = [];
  /** The state machines by key (names.ts). */
  readonly stateMachines: Partial<Record<MachineKey, StateMachine>> = {};

  constructor(scope: Construct, id: string, props: WorkflowsStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const environment = taskEnvironment(this, config, data, props.apiUrl);
    const cluster = clusterArn(this, config);
    const fn = (fid: string, entry: string, handler: string, description: string) =>
      new OrreryFunction(this, fid, { entry, handler, description, environment, profilesFile: config.profilesFile, timeout: Duration.minutes(2) });

    const runEntry = 'functions/src/handlers/tasks/run-tasks-lambda.ts';
    const prepare = fn('PrepareRun', runEntry, 'prepare', 'Run workflow: writes the parameterized input notebook and presigns its URLs');
    const markStarted = fn('MarkRunStarted', runEntry, 'markStarted', 'Run workflow: QUEUED to IN_PROGRESS');
    const finalize = fn('FinalizeRun', runEntry, 'finalize', 'Run workflow: reads the output notebook and records how the run ended');
    const serverTasks = fn('ServerTasks', 'functions/src/handlers/tasks/server-tasks-lambda.ts', 'handler', 'Launch-server workflow: pod, Service, readiness, failure records');

    for (const f of [prepare, markStarted, finalize, serverTasks]) {
      grantTableItems(f, data);
      acknowledge(f, FUNCTION_FINDINGS);
    }
    // Prepare writes the input and presigns both ends (a presigned URL carries the signer's rights); Finalize reads the output.
    grantBucketObjects(prepare, data);
    grantBucketObjects(finalize, data);
    serverTasks.addToRolePolicy(new PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [cluster] }));
    this.clusterRoles.push(serverTasks.role!);

    const functions: Record<string, IFunction> = {
      PrepareRunFunctionArn: prepare,
      MarkRunStartedFunctionArn: markStarted,
      FinalizeRunFunctionArn: finalize,
      ServerTasksFunctionArn: serverTasks,
    };
    const values: Record<string, string> = {
      ...Object.fromEntries(Object.entries(functions).map(([k, f]) => [k, f.functionArn])),
      ClusterName: config.eks.clusterName,
      ClusterCertificateAuthority: config.eks.certificateAuthority,
      ClusterEndpoint: config.eks.endpoint,
      RunnerNamespace: config.eks.namespace,
    };

    for (const file of readdirSync(STATEMACHINES_DIR).filter((f) => f.endsWith('.asl.json')).sort()) {
      const key = machineKeyOf(file);
      const text = readAsl(STATE_MACHINES[key]);
      this.stateMachines[key] = this.addMachine(config, key, text, values, functions, cluster);
    }
  }

  /** One Standard state machine from its ASL text, its role allowed exactly what the text names. */
  private addMachine(config: InfraConfig, key: MachineKey, text: string, values: Record<string, string>, functions: Record<string, IFunction>, cluster: string) {
    const id = `${key[0]!.toUpperCase()}${key.slice(1)}`;
    const name = stateMachineName(config, key);
    // The /aws/vendedlogs/ prefix keeps the log group out of the account's size-limited log resource policy.
    const logs = new LogGroup(this, `${id}Logs`, { logGroupName: `/aws/vendedlogs/states/${name}`, retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const machine = new StateMachine(this, `${id}StateMachine`, {
      stateMachineName: name,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(substitute(text, values)),
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    const used = placeholdersOf(text);
    const invoked = used.filter((p) => functions[p]).map((p) => functions[p]!.functionArn);
    // Unqualified ARNs only: the definitions invoke $LATEST, so no `:*` version wildcard is needed.
    if (invoked.length) machine.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: invoked }));
    if (/"arn:aws:states:::eks:/.test(text)) {
      // eks:runJob.sync / eks:call authenticate as this role: it needs DescribeCluster here and an access entry in the cluster.
      machine.addToRolePolicy(new PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [cluster] }));
      this.clusterRoles.push(machine.role);
    }
    acknowledge(machine.role, {
      'AwsSolutions-IAM5[Resource::*]':
        'Step Functions log delivery (logs:*Delivery*, logs:Describe*) and X-Ray tracing accept no resource but *; the execution data itself goes only to this machine\'s log group.',
    });
    return machine;
  }
}
