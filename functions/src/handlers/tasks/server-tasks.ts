import { ValidationError } from '../../domain/errors.ts';
import {
  checkServerLaunch,
  cleanUpServer,
  createServerResources,
  markServerRunning,
  recordServerFailure,
  type CheckServerLaunchDeps,
  type CleanUpServerDeps,
  type CreateServerResourcesDeps,
  type LaunchRef,
  type MarkServerRunningDeps,
  type RecordServerFailureDeps,
} from '../../use-cases/launch-steps.ts';
import type { EmitMetrics } from '../../observability/metrics.ts';
import type { StepFailure } from '../../use-cases/step-failure.ts';

/** What the launch-server workflow's steps need, together: no workflows, no notifier, no cursors. */
export type ServerTaskDeps = CreateServerResourcesDeps &
  CheckServerLaunchDeps &
  MarkServerRunningDeps &
  CleanUpServerDeps &
  RecordServerFailureDeps;

/** What the launch-server workflow sends its one task function: which step, for which launch. */
export type ServerTaskPayload = LaunchRef & { step: string; url?: string; failure?: StepFailure };

/**
 * The launch-server workflow's Task handler (one Lambda, the step named in the payload); errors keep
 * their class names, which the workflow's Catch matches. Every result has the fields the ASL selects.
 * With `emit` (the Lambda entry passes `emitMetrics`; local mode passes nothing) it counts ServersStarted
 * and ServerLaunchesFailed; the pool is not in the payload, so these counts carry no dimension.
 */
export const makeServerTasks = (deps: ServerTaskDeps, emit?: EmitMetrics) => {
  const steps: Record<string, (p: ServerTaskPayload) => Promise<unknown>> = {
    create: (p) => createServerResources(deps, p),
    check: async (p) => ({ url: null, ...(await checkServerLaunch(deps, p)) }),
    markRunning: (p) => markServerRunning(deps, { ...p, url: p.url ?? '' }),
    cleanUp: async (p) => {
      await cleanUpServer(deps, p);
      return { state: 'cleaned' };
    },
    recordFailure: (p) => recordServerFailure(deps, p),
  };
  return async (payload: ServerTaskPayload): Promise<unknown> => {
    const step = steps[payload.step];
    if (!step)
      throw new ValidationError(`unknown launch step '${payload.step}'; known: ${Object.keys(steps).join(', ')}`);
    const result = (await step({
      serverId: payload.serverId,
      launchId: payload.launchId,
      url: payload.url,
      failure: payload.failure,
      step: payload.step,
    })) as { state?: string; status?: string } | undefined;
    if (payload.step === 'markRunning' && result?.state === 'running') emit?.({}, { ServersStarted: 1 });
    if (payload.step === 'recordFailure' && result?.status === 'FAILED') emit?.({}, { ServerLaunchesFailed: 1 });
    return result;
  };
};
