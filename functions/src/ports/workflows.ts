/** Starts and stops the run workflows (Step Functions, or their local stand-ins). */
export interface Workflows {
  /** Starts the run-notebook workflow for a run; the name makes a second start of one run a no-op. */
  startRun(runId: string): Promise<void>;
  /** Stops a run's workflow and what it launched (pod, Job or process); harmless when it already ended. */
  stopRun(runId: string): Promise<void>;
}

/** Starts the launch-server workflow (Step Functions, or its local stand-in). */
export interface ServerWorkflows {
  /** Starts launching one launch of a server; a second start of the same launch is a no-op. */
  launchServer(serverId: string, launchId: string): Promise<void>;
}
