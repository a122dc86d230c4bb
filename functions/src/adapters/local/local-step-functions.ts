import './promise-with-resolvers.ts';
import { StateMachine } from 'aws-local-stepfunctions';
import type { Workflows } from '../../ports/workflows.ts';
import { readAsl, substitute } from '../../shared/asl.ts';
import { log } from '../../shared/logger.ts';

/** The local functions the run workflow's Task states are bound to, by state name. */
export interface RunWorkflowBindings {
  prepare(input: { runId: string }): Promise<unknown>;
  markStarted(input: { runId: string }): Promise<void>;
  launch(input: { runId: string; prepared: { value: unknown } }): Promise<void>;
  finalize(input: { runId: string; failure?: { Error?: string; Cause?: string } }): Promise<{ status: string }>;
  cleanup(input: { runId: string }): Promise<void>;
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
};

// Lambda invoke integrations wrap results in Payload; local bindings do the same so ResultSelectors match.
const payload = <T>(fn: () => Promise<T>) => async () => ({ Payload: (await fn()) ?? {} });

/**
 * Runs `statemachines/run-notebook.asl.json` with aws-local-stepfunctions, its Task states bound to
 * local functions: the same states, retries, catches and timeouts as Step Functions in the cloud.
 */
export class LocalStepFunctions implements Workflows {
  private readonly machine = new StateMachine(JSON.parse(substitute(readAsl('run-notebook'), LOCAL_VALUES)), { validationOptions: { checkArn: false } });
  private readonly executions = new Map<string, Promise<unknown>>();
  /** State transitions (states entered) per run, for the benchmark. */
  readonly transitions = new Map<string, number>();

  constructor(private readonly bindings: RunWorkflowBindings) {}

  async startRun(runId: string): Promise<void> {
    if (this.executions.has(runId)) return;
    const b = this.bindings;
    type In = { runId: string } & Record<string, never>;
    const execution = this.machine.run(
      { runId },
      {
        overrides: {
          taskResourceLocalHandlers: {
            Prepare: (i) => payload(() => b.prepare(i as In))(),
            MarkStarted: (i) => payload(() => b.markStarted(i as In))(),
            LaunchRunner: async (i) => (await b.launch(i as never), {}),
            Finalize: (i) => payload(() => b.finalize(i as In))(),
            Cleanup: async (i) => (await b.cleanup(i as In), {}),
            RecordFailure: (i) => payload(() => b.finalize(i as never))(),
          },
        },
      },
    );
    const done = execution.result.catch((err: Error) => {
      if (err.name !== 'ExecutionError' || !/RunDidNotComplete/.test(err.message)) log('warn', 'run workflow ended with an error', { runId, error: err.message });
    });
    this.executions.set(runId, done.finally(() => this.executions.delete(runId)));
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
    for await (const event of events) if (event.type === 'StateEntered') this.transitions.set(runId, (entered += 1));
  }
}
