/** Starts and stops the Step Functions workflows (or their local stand-ins). */
export interface Workflows {
  /** Starts the run-notebook workflow for a run; the name makes a second start of one run a no-op. */
  startRun(runId: string): Promise<void>;
  /** Stops a run's workflow and what it launched (pod, Job or process); harmless when it already ended. */
  stopRun(runId: string): Promise<void>;
}
