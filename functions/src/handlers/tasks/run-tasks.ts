import { formatCpu, formatMemory } from '../../domain/quantity.ts';
import { makeRunnerJob } from '../../adapters/k8s/runner-job.ts';
import { finalizeRun } from '../../use-cases/finalize-run.ts';
import type { StepFailure } from '../../use-cases/step-failure.ts';
import { markRunStarted, prepareRun } from '../../use-cases/prepare-run.ts';
import type { RunDeps } from '../../use-cases/run-deps.ts';

/** The Step Functions Task handlers of the run workflow; errors keep their class names, which Catch matches. */
export const makeRunTasks = (deps: RunDeps) => ({
  /** Prepare: the parameterized input, presigned URLs, and the runner Job for EKS. */
  prepare: async (input: { runId: string }) => {
    const prepared = await prepareRun(deps, input);
    const r = deps.runSettings.runner;
    const profile = deps.profiles.find((p) => p.slug === prepared.profile) ?? deps.profiles[0]!;
    const resources = { cpu: formatCpu(profile.cpu.request), memory: formatMemory(profile.memory.request), gpus: profile.gpus, nodeSelector: profile.pool.nodeSelector };
    const job = makeRunnerJob({ ...r, ...resources, runId: prepared.runId, inputUrl: prepared.inputUrl, outputUrl: prepared.outputUrl, timeoutSeconds: prepared.timeoutSeconds, cellTimeoutSeconds: prepared.cellTimeoutSeconds });
    return { ...prepared, job };
  },
  /** MarkStarted: QUEUED → IN_PROGRESS. */
  markStarted: (input: { runId: string }) => markRunStarted(deps, input),
  /** Finalize and RecordFailure: how the run ended. */
  finalize: async (input: { runId: string; failure?: StepFailure }) => ({ status: (await finalizeRun(deps, input)).status }),
});
