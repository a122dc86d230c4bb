import { formatCpu, formatMemory } from '../../domain/quantity.ts';
import type { Profile } from '../../domain/profile.ts';
import { TERMINAL_STATUSES, type Run, type RunStatus } from '../../domain/run.ts';
import { log } from '../../observability/logger.ts';
import { RunnerUnavailableError } from '../../domain/errors.ts';
import { makeRunnerJob, type RunnerJobSpec } from '../../adapters/k8s/runner-job.ts';
import type { EmitMetrics } from '../../observability/metrics.ts';
import { finalizeRun, type FinalizeRunDeps, type FinalizeRunInput } from '../../use-cases/finalize-run.ts';
import {
  markRunStarted,
  prepareRun,
  type MarkRunStartedDeps,
  type PrepareRunDeps,
  type PreparedRun,
} from '../../use-cases/prepare-run.ts';
import type { RunDeps, RunSettings } from '../../use-cases/run-deps.ts';

/** What follows a run's end (its schedule's retry and queue, its notices); failures are logged, never raised. */
export type RunEndedHook = (run: Run) => Promise<void>;

/** What the run workflow's tasks need, together: no renderer, no workflows, no cursors. */
export type RunTaskDeps = PrepareRunDeps & MarkRunStartedDeps & FinalizeRunDeps & Pick<RunDeps, 'runSettings'>;

// The dashboard and the failure-rate alarm read these names; a status not listed (none today) counts nothing.
const ENDED_METRIC: Partial<Record<RunStatus, string>> = {
  COMPLETED: 'RunsCompleted',
  FAILED: 'RunsFailed',
  STOPPED: 'RunsStopped',
};

/** The metrics of a run that just ended: its count by status and, when known, its duration in seconds. */
export const runEndMetrics = (run: Pick<Run, 'status' | 'durationSeconds'>): Record<string, number> => {
  const name = ENDED_METRIC[run.status];
  if (!name) return {};
  return {
    [name]: 1,
    ...(typeof run.durationSeconds === 'number' && Number.isFinite(run.durationSeconds)
      ? { RunDuration: run.durationSeconds }
      : {}),
  };
};

/**
 * A prepared run's runner Job: its profile's image, pool and requests; the runner program from the runner image;
 * for a run with a role, what its runner needs to fetch the role's keys (the API's URL and the run token).
 */
export const runnerJobSpec = (
  settings: RunSettings,
  prepared: PreparedRun,
  profile: Profile,
  runToken?: string,
): RunnerJobSpec => ({
  namespace: settings.runner.namespace,
  serviceAccount: settings.runner.serviceAccount,
  runnerImage: settings.runner.image,
  image: profile.image,
  pool: profile.pool,
  cpu: formatCpu(profile.cpu.request),
  memory: formatMemory(profile.memory.request),
  gpus: profile.gpus,
  runId: prepared.runId,
  inputUrl: prepared.inputUrl,
  outputUrl: prepared.outputUrl,
  timeoutSeconds: prepared.timeoutSeconds,
  cellTimeoutSeconds: prepared.cellTimeoutSeconds,
  output: settings.output,
  ...(prepared.role && runToken ? { credentials: runnerCredentials(settings, prepared.role, runToken) } : {}),
});

// A run with a role and nowhere to fetch its keys from would fail at its first AWS call; it fails here instead.
const runnerCredentials = (settings: RunSettings, role: string, runToken: string) => {
  if (!settings.apiUrl)
    throw new RunnerUnavailableError(
      `the run has role '${role}' but the runner cannot fetch its keys: set ORRERY_PUBLIC_API_URL`,
    );
  return { role, apiUrl: settings.apiUrl.replace(/\/$/, ''), runToken };
};

/**
 * The Step Functions Task handlers of the run workflow; errors keep their class names, which Catch matches.
 * With `emit` (the Lambda entries pass `emitMetrics`; local mode passes nothing) they publish RunsStarted once
 * a run is prepared, and RunsCompleted/RunsFailed/RunsStopped with RunDuration when it ends.
 */
export const makeRunTasks = (deps: RunTaskDeps, emit?: EmitMetrics, onEnded?: RunEndedHook) => ({
  /** Prepare: the parameterized input, presigned URLs, and the runner Job for EKS on the run's profile. */
  prepare: async (input: { runId: string }) => {
    const { prepared, profile, runToken } = await prepareRun(deps, input);
    const job = makeRunnerJob(runnerJobSpec(deps.runSettings, prepared, profile, runToken));
    emit?.({}, { RunsStarted: 1 });
    return { ...prepared, job };
  },
  /** MarkStarted: QUEUED → IN_PROGRESS. */
  markStarted: (input: { runId: string }) => markRunStarted(deps, input),
  /** Finalize, RecordFailure and RecordFailureWithoutOutput: how the run ended. */
  finalize: async (input: FinalizeRunInput) => {
    // Finalize may be called again for a run already ended (a retried step, the failure path after a timeout):
    // only the call that ends it runs what follows, so notices and retries happen once.
    const before = onEnded ? await deps.runs.getRun(input.runId) : null;
    const run = await finalizeRun(deps, input);
    const values = runEndMetrics(run);
    if (Object.keys(values).length) emit?.({}, values, { RunDuration: 'Seconds' });
    const endedNow = before !== null && !TERMINAL_STATUSES.has(before.status) && TERMINAL_STATUSES.has(run.status);
    if (onEnded && endedNow)
      await onEnded(run).catch((err) =>
        log('warn', 'what follows a run end failed', { runId: run.id, error: (err as Error).message }),
      );
    return { status: run.status };
  },
});
