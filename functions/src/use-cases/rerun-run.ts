import type { User } from '../domain/user.ts';
import { viewRun, type RunView, type ViewRunDeps } from './get-run.ts';
import { loadControllableRun } from './run-access.ts';
import { startRun, type StartRunDeps } from './start-run.ts';

/** What rerunning a run needs: what starting one does, and showing it. */
export type RerunRunDeps = StartRunDeps & ViewRunDeps;

/**
 * Starts a new run with the same inputs as an earlier one, with optional overrides.
 * 1. Load the earlier run; who started it, the notebook's owner and admins may rerun it.
 * 2. Start a run of the same version, profile, timeout and role, its parameters merged with the overrides;
 *    it records the notebook's title as it is now, which may differ from the earlier run's. The role is checked
 *    against whoever reruns: the notebook's owner or an admin rerunning someone's run needs to hold it too.
 */
export const rerunRun = async (
  deps: RerunRunDeps,
  input: {
    user: User;
    runId: string;
    parameters?: Record<string, unknown>;
    allowUnknownParameters?: boolean;
    profile?: string;
    timeoutSeconds?: number;
    cellTimeoutSeconds?: number;
    idempotencyKey?: string;
    role?: string | null;
  },
): Promise<RunView> => {
  const earlier = await loadControllableRun(deps, input.user, input.runId);
  const run = await startRun(deps, {
    user: input.user,
    notebookId: earlier.notebookId,
    version: earlier.version,
    carriedParameters: earlier.typedParameters,
    parameters: input.parameters,
    allowUnknownParameters: input.allowUnknownParameters,
    profile: input.profile ?? earlier.profile,
    timeoutSeconds: input.timeoutSeconds ?? earlier.timeoutSeconds,
    cellTimeoutSeconds: input.cellTimeoutSeconds ?? earlier.cellTimeoutSeconds,
    idempotencyKey: input.idempotencyKey,
    // Left out, the earlier run's role; null, none.
    role: input.role === undefined ? earlier.role : input.role,
    rerunOf: earlier.id,
  });
  return viewRun(deps, run);
};
