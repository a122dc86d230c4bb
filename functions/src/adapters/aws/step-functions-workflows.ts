import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Workflows } from '../../ports/workflows.ts';

/** The run workflows in Step Functions: one execution per run, named by the run id so a second start is a no-op. */
export class StepFunctionsWorkflows implements Workflows {
  constructor(
    private readonly sfn: SFNClient,
    private readonly runMachineArn: string,
    private readonly stopMachineArn: string,
  ) {}

  async startRun(runId: string): Promise<void> {
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.runMachineArn, name: runId, input: JSON.stringify({ runId }) }));
    } catch (err) {
      if (!(err instanceof ExecutionAlreadyExists) && (err as Error).name !== 'ExecutionAlreadyExists') throw err;
    }
  }

  /**
   * Deletes the run's Job through the stop-run workflow instead of stopping the run's execution:
   * the execution then sees its Job gone and records STOPPED itself (a stopped execution would
   * run no Catch, and runJob.sync leaves its Job behind).
   */
  async stopRun(runId: string): Promise<void> {
    await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stopMachineArn, name: `stop-${runId}-${Date.now()}`, input: JSON.stringify({ runId }) }));
  }
}
