import { formatCpu, formatMemory } from '../../domain/quantity.ts';
import type { Run, RunStatus } from '../../domain/run.ts';
import { makeRunnerJob } from '../../adapters/k8s/runner-job.ts';
import type { EmitMetrics } from '../../shared/metrics.ts';
import { finalizeRun, type FinalizeRunInput } from '../../use-cases/finalize-run.ts';
import { markRunStarted, prepareRun } from '../../use-cases/prepare-run.ts';
import type { RunDeps } from '../../use-cases/run-deps.ts';

// The dashboard and the failure-rate alarm read these names; a status not listed (none today) counts nothing.
const ENDED_METRIC: Partial<Record<RunStatus, string>> = { COMPLETED: 'RunsCompleted', FAILED: 'RunsFailed', STOPPED: 'RunsStopped' };

/** The metrics of a run that just ended: its count by status and, when known, its duration in seconds. */
export const runEndMetrics = (run: Pick<Run, 'status' | 'durationSeconds'>): Record<string, number> => {
  const name = ENDED_METRIC[run.status];
  if (!name) return {};
  return { [name]: 1, ...(typeof run.durationSeconds === 'number' && Number.isFinite(run.durationSeconds) ? { RunDuration: run.durationSeconds } : {}) };
};

/**
 * The Step Functions Task handlers of the run workflow; errors keep their class names, which Catch matches.
 * With `emit` (the Lambda entries pass `emitMetrics`; local mode passes nothing) they publish RunsStarted once
 * a run is prepared, and RunsCompleted/RunsFailed/RunsStopped with RunDuration when it ends.
 */
export const makeRunTasks = (deps: RunDeps, emit?: EmitMetrics) => ({
  /** Prepare: the parameterized input, presigned URLs, and the runner Job for EKS. */
  prepare: async (input: { runId: string }) => {
    const prepared = await prepareRun(deps, input);
    const r = deps.runSettings.runner;
    const profile = deps.profiles.find((p) => p.slug === prepared.profile) ?? deps.profiles[0]!;
    const resources = { cpu: formatCpu(profile.cpu.request), memory: formatMemory(profile.memory.request), gpus: profile.gpus, nodeSelector: profile.pool.nodeSelector };
    const job = makeRunnerJob({
      ...r,
      ...resources,
      runId: prepared.runId,
      inputUrl: prepared.inputUrl,
      outputUrl: prepared.outputUrl,
      timeoutSeconds: prepared.timeoutSeconds,
      cellTimeoutSeconds: prepared.cellTimeoutSeconds,
      output: deps.runSettings.output,
    });
    emit?.({}, { RunsStarted: 1 });
    return { ...prepared, job };
  },
  /** MarkStarted: QUEUED → IN_PROGRESS. */
  markStarted: (input: { runId: string }) => markRunStarted(deps, input),
  /** Finalize, RecordFailure and RecordFailureWithoutOutput: how the run ended. */
  finalize: async (input: FinalizeRunInput) => {
    const run = await finalizeRun(deps, input);
    const values = runEndMetrics(run);
    if (Object.keys(values).length) emit?.({}, values, { RunDuration: 'Seconds' });
    return { status: run.status };
  },
});
