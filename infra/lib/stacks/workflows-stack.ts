import { readdirSync } from 'node:fs';
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { placeholdersOf, readAsl, STATEMACHINES_DIR, substitute } from '#functions/contracts';
import type { InfraConfig } from '../config.ts';
import { OrreryFunction } from '../constructs/orrery-function.ts';
import { STATE_MACHINES, stateMachineArn, stateMachineName } from '../names.ts';
import type { DataStack } from './data-stack.ts';
import {
  acknowledge,
  clusterArn,
  FUNCTION_FINDINGS,
  functionEnvironment,
  grantBucketObjects,
  grantNotices,
  grantScheduleCalendar,
  grantTableItems,
  placeInVpc,
  vpcPlacement,
} from '../function-access.ts';

/** What the workflows stack needs. */
export interface WorkflowsStackProps extends StackProps {
  config: InfraConfig;
  data: DataStack;
  apiUrl: string;
}

type MachineKey = keyof typeof STATE_MACHINES;

/** Which state machine a file in statemachines/ is; an unknown file stops synth naming the known ones. */
export const machineKeyOf = (file: string): MachineKey => {
  const name = file.replace(/\.asl\.json$/, '');
  const key = (Object.keys(STATE_MACHINES) as MachineKey[]).find((k) => STATE_MACHINES[k] === name);
  if (!key)
    throw new Error(
      `statemachines/${file} is not a known state machine; known: ${Object.values(STATE_MACHINES).join(', ')} ` +
        '(add it to STATE_MACHINES in infra/lib/names.ts)',
    );
  return key;
};

/** Every file in statemachines/ as a Standard state machine, and the task Lambdas they call. */
export class WorkflowsStack extends Stack {
  /** Roles that call the Kubernetes API (task Lambdas, the state machines' roles). */
  readonly clusterRoles: IRole[] = [];
  /** The state machines by key (names.ts). */
  readonly stateMachines: Partial<Record<MachineKey, StateMachine>> = {};
  /** The task Lambdas (their errors are alarmed on). */
  readonly functions: IFunction[];

  constructor(scope: Construct, id: string, props: WorkflowsStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const environment = functionEnvironment(this, config, data, props.apiUrl);
    const cluster = clusterArn(this, config);
    const fn = (fid: string, entry: string, handler: string, description: string) =>
      new OrreryFunction(this, fid, {
        entry,
        handler,
        description,
        environment,
        profilesFile: config.profilesFile,
        // Finalize starts a schedule's next queued run, whose role is checked against the registry.
        rolesFile: config.rolesFile,
        sparkPoolsFile: config.sparkPoolsFile,
        timeout: Duration.minutes(2),
      });

    const runEntry = 'functions/src/handlers/tasks/run-tasks-lambda.ts';
    const prepare = fn(
      'PrepareRun',
      runEntry,
      'prepare',
      'Run workflow: writes the parameterized input notebook and presigns its URLs',
    );
    const markStarted = fn('MarkRunStarted', runEntry, 'markStarted', 'Run workflow: QUEUED to IN_PROGRESS');
    const finalize = fn(
      'FinalizeRun',
      runEntry,
      'finalize',
      'Run workflow: reads the output notebook and records how the run ended',
    );
    const serverTasks = fn(
      'ServerTasks',
      'functions/src/handlers/tasks/server-tasks-lambda.ts',
      'handler',
      'Launch-server workflow: pod, Service, readiness, failure records',
    );

    // No cursor secret: no task serves a list.
    for (const f of [prepare, markStarted, finalize, serverTasks]) {
      grantTableItems(f, data);
      acknowledge(f, FUNCTION_FINDINGS);
    }
    // Prepare reads the version's body, writes the input and presigns both ends under runs/ (a presigned URL carries
    // the signer's rights); Finalize reads the output. Neither touches uploads or the rendered-HTML cache.
    grantBucketObjects(prepare, data, { 'bodies/': ['s3:GetObject'], 'runs/': ['s3:GetObject', 's3:PutObject'] });
    grantBucketObjects(finalize, data, { 'runs/': ['s3:GetObject'] });
    // A scheduled run's end is its schedule's business: a failed one is retried (a one-time Scheduler schedule), the
    // next queued due time starts (the run workflow), and the owner hears what they asked to hear.
    grantScheduleCalendar(finalize, config, ['scheduler:CreateSchedule']);
    finalize.addToRolePolicy(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn(this, config, 'run')] }),
    );
    grantNotices(finalize, config);
    serverTasks.addToRolePolicy(new PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [cluster] }));
    this.clusterRoles.push(serverTasks.role!);
    // Only the server task calls the Kubernetes API; the run tasks build a Job that the state machine itself runs.
    placeInVpc(serverTasks, vpcPlacement(this, config));

    this.functions = [prepare, markStarted, finalize, serverTasks];
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
      RunnerNamespace: config.eks.runnerNamespace,
    };

    for (const file of readdirSync(STATEMACHINES_DIR)
      .filter((f) => f.endsWith('.asl.json'))
      .sort()) {
      const key = machineKeyOf(file);
      const text = readAsl(STATE_MACHINES[key]);
      this.stateMachines[key] = this.addMachine(config, key, text, values, functions, cluster);
    }
  }

  /** One Standard state machine from its ASL text, its role allowed exactly what the text names. */
  private addMachine(
    config: InfraConfig,
    key: MachineKey,
    text: string,
    values: Record<string, string>,
    functions: Record<string, IFunction>,
    cluster: string,
  ) {
    const id = `${key[0]!.toUpperCase()}${key.slice(1)}`;
    const name = stateMachineName(config, key);
    // The /aws/vendedlogs/ prefix keeps the log group out of the account's size-limited log resource policy.
    const logs = new LogGroup(this, `${id}Logs`, {
      logGroupName: `/aws/vendedlogs/states/${name}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const machine = new StateMachine(this, `${id}StateMachine`, {
      stateMachineName: name,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(substitute(text, values)),
      // Without execution data: states' inputs and outputs carry presigned URLs, valid for hours, that the log would
      // keep for a month. Events (which state, when, errors) are still logged.
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    const used = placeholdersOf(text);
    const invoked = used.filter((p) => functions[p]).map((p) => functions[p]!.functionArn);
    // Unqualified ARNs only: the definitions invoke $LATEST, so no `:*` version wildcard is needed.
    if (invoked.length)
      machine.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: invoked }));
    if (/"arn:aws:states:::eks:/.test(text)) {
      // eks:runJob.sync / eks:call authenticate as this role: it needs DescribeCluster here and an access entry in the
      // cluster.
      machine.addToRolePolicy(new PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [cluster] }));
      this.clusterRoles.push(machine.role);
    }
    acknowledge(machine.role, {
      'AwsSolutions-IAM5[Resource::*]':
        'Step Functions log delivery (logs:*Delivery*, logs:Describe*) and X-Ray tracing accept no resource but *; ' +
        "the events themselves go only to this machine's log group.",
    });
    return machine;
  }
}
