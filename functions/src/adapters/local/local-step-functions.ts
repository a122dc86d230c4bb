import './promise-with-resolvers.ts';
import { StateMachine } from 'aws-local-stepfunctions';
import type { ServerWorkflows, Workflows } from '../../ports/workflows.ts';
import { readAsl, substitute } from '../../contracts/asl.ts';
import { log } from '../../observability/logger.ts';

/** The Kubernetes Job the launch state would run on EKS, as far as local mode reads it. */
export interface LaunchJob {
  metadata: { labels: Record<string, string> };
  spec: { template: { spec: { containers: Array<{ args: string[]; env?: Array<{ name: string; value: string }> }> } } };
}

/**
 * The local functions the run workflow's Task states are bound to. Each receives what the state's
 * Parameters evaluate to in the cloud: the Lambda Payload, the Job to run, the path to DELETE.
 */
export interface RunWorkflowBindings {
  prepare(input: { runId: string }): Promise<unknown>;
  markStarted(input: { runId: string }): Promise<void>;
  launch(job: LaunchJob): Promise<void>;
  finalize(input: {
    runId: string;
    failure?: { Error?: string; Cause?: string };
    skipOutput?: boolean;
  }): Promise<{ status: string }>;
  cleanup(jobPath: string): Promise<void>;
  stop(runId: string): Promise<void>;
}

// Local stand-ins for what CDK substitutes; the Task states that use them are bound to local functions.
const LOCAL_VALUES = {
  PrepareRunFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orrery-local-prepare-run',
  MarkRunStartedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orrery-local-mark-run-started',
  FinalizeRunFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orrery-local-finalize-run',
  ClusterName: 'local',
  ClusterCertificateAuthority: 'local',
  ClusterEndpoint: 'https://127.0.0.1',
  RunnerNamespace: 'local',
  ServerTasksFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orrery-local-server-tasks',
};

/** The launch-server workflow's one task function (the step is in its payload), and how often local mode looks. */
export interface ServerWorkflowBindings {
  task(payload: never): Promise<unknown>;
  pollMs: number;
}

const SERVER_TASK_STATES = [
  'CreateResources',
  'CheckLaunch',
  'MarkRunning',
  'CleanUpCancelled',
  'CleanUp',
  'RecordFailure',
];

type LambdaParameters = { Payload: never };

// Lambda invoke integrations take and return a Payload; local bindings do the same so the ASL's paths match.
const lambda =
  <T>(fn: (payload: never) => Promise<T>) =>
  async (parameters: unknown) => ({ Payload: (await fn((parameters as LambdaParameters).Payload)) ?? {} });

const machineOf = (name: string) =>
  new StateMachine(JSON.parse(substitute(readAsl(name), LOCAL_VALUES)), { validationOptions: { checkArn: false } });

/**
 * Runs `statemachines/run-notebook.asl.json` and `launch-server.asl.json` with aws-local-stepfunctions,
 * their Task states bound to local functions: the same states, retries, catches and timeouts as Step
 * Functions in the cloud (only the launch's Wait is shortened).
 */
export class LocalStepFunctions implements Workflows, ServerWorkflows {
  private readonly machine = machineOf('run-notebook');
  private readonly launchMachine = machineOf('launch-server');
  private readonly executions = new Map<string, Promise<unknown>>();
  /** State transitions (states entered) per run, for the benchmark. */
  readonly transitions = new Map<string, number>();

  constructor(
    private readonly bindings: RunWorkflowBindings,
    private readonly server: ServerWorkflowBindings,
  ) {}

  async launchServer(serverId: string, launchId: string): Promise<void> {
    const key = `launch:${serverId}:${launchId}`;
    if (this.executions.has(key)) return;
    const task = lambda(this.server.task);
    const execution = this.launchMachine.run(
      { serverId, launchId },
      {
        overrides: {
          taskResourceLocalHandlers: Object.fromEntries(SERVER_TASK_STATES.map((s) => [s, task])),
          waitTimeOverrides: { WaitForJupyter: this.server.pollMs },
        },
      },
    );
    const done = execution.result.catch((err: Error) => {
      if (err.name !== 'ExecutionError' || !/ServerLaunchFailed/.test(err.message))
        log('warn', 'launch workflow ended with an error', { serverId, error: err.message });
    });
    this.executions.set(
      key,
      done.finally(() => this.executions.delete(key)),
    );
  }

  async startRun(runId: string): Promise<void> {
    if (this.executions.has(runId)) return;
    const b = this.bindings;
    const execution = this.machine.run(
      { runId },
      {
        overrides: {
          taskResourceLocalHandlers: {
            Prepare: lambda(b.prepare),
            MarkStarted: lambda(b.markStarted),
            LaunchRunner: async (p) => {
              await b.launch((p as unknown as { Job: LaunchJob }).Job);
              return {};
            },
            Finalize: lambda(b.finalize),
            Cleanup: async (p) => {
              await b.cleanup((p as unknown as { Path: string }).Path);
              return {};
            },
            RecordFailure: lambda(b.finalize),
            RecordFailureWithoutOutput: lambda(b.finalize),
          },
        },
      },
    );
    const done = execution.result.catch((err: Error) => {
      if (err.name !== 'ExecutionError' || !/RunDidNotComplete/.test(err.message))
        log('warn', 'run workflow ended with an error', { runId, error: err.message });
    });
    this.executions.set(
      runId,
      done.finally(() => this.executions.delete(runId)),
    );
    void this.countTransitions(runId, execution.eventLogs);
  }

  async stopRun(runId: string): Promise<void> {
    await this.bindings.stop(runId);
  }

  /** Waits for every execution still running (shutdown and tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.executions.values()]);
  }

  private async countTransitions(runId: string, events: AsyncGenerator<{ type: string }>): Promise<void> {
    let entered = 0;
    for await (const event of events) {
      if (event.type !== 'StateEntered') continue;
      entered += 1;
      this.transitions.set(runId, entered);
    }
  }
}
