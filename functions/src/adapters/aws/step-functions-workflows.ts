import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ServerWorkflows, Workflows } from '../../ports/workflows.ts';

/**
 * The workflows in Step Functions: one execution per run (named by the run id) and per server
 * launch (named by the launch id), so a second start of either is a no-op.
 */
export class StepFunctionsWorkflows implements Workflows, ServerWorkflows {
  constructor(
    private readonly sfn: SFNClient,
    private readonly machines: { run: string; stopRun: string; launchServer: string },
  ) {}

  private async startOnce(stateMachineArn: string, name: string, input: unknown): Promise<void> {
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (err) {
      if (!(err instanceof ExecutionAlreadyExists) && (err as Error).name !== 'ExecutionAlreadyExists') throw err;
    }
  }

  async startRun(runId: string): Promise<void> {
    await this.startOnce(this.machines.run, runId, { runId });
  }

  async launchServer(serverId: string, launchId: string): Promise<void> {
    await this.startOnce(this.machines.launchServer, launchId, { serverId, launchId });
  }

  /**
   * Deletes the run's Job through the stop-run workflow instead of stopping the run's execution:
   * the execution then sees its Job gone and records STOPPED itself (a stopped execution would
   * run no Catch, and runJob.sync leaves its Job behind).
   */
  async stopRun(runId: string): Promise<void> {
    await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.machines.stopRun,
        name: `stop-${runId}-${Date.now()}`,
        input: JSON.stringify({ runId }),
      }),
    );
  }
}

/** A Step Functions client for the function's own region and role. */
export const makeSfnClient = (region: string): SFNClient => new SFNClient({ region });
