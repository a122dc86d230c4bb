import type { Run } from '../domain/run.ts';
import type { User } from '../domain/user.ts';
import type { PresignedRequest } from '../ports/body-store.ts';
import { loadReadableRun } from './run-access.ts';
import type { FoliumDeps } from './folium-deps.ts';
import type { RunDeps } from './run-deps.ts';

/** What showing a run needs: its output presigned for the configured time. */
export type ViewRunDeps = Pick<RunDeps, 'runFiles'> & Pick<FoliumDeps, 'limits'>;

/** What reading a run needs. */
export type GetRunDeps = ViewRunDeps & Pick<RunDeps, 'runs'>;

/** A run as the API shows it, with links to its output when there is one (never its token's hash). */
export type RunView = Omit<Run, 'typedParameters' | 'inputKey' | 'outputKey' | 'runTokenHash' | 'roleTeam'> & {
  output: PresignedRequest | null;
  outputHtmlPath: string | null;
};

/** Turns a run into what the API returns: storage keys and the token's hash hidden, output presigned. */
export const viewRun = async (deps: ViewRunDeps, run: Run): Promise<RunView> => {
  const { typedParameters: _t, inputKey: _i, outputKey, runTokenHash: _h, roleTeam: _r, ...shown } = run;
  const output = run.hasOutput
    ? await deps.runFiles.presignGet(outputKey, deps.limits.urlSeconds, `${run.id}-output.ipynb`)
    : null;
  return {
    ...shown,
    scheduleId: run.scheduleId ?? null,
    dueAt: run.dueAt ?? null,
    attempt: run.attempt ?? 0,
    output,
    outputHtmlPath: run.hasOutput ? `/runs/${run.id}/output/html` : null,
  };
};

/**
 * Reads one run.
 * 1. Load it; who started it, the notebook's owner and admins may read it (an org-wide notebook's runs stay theirs).
 * 2. Presign its output when there is one.
 */
export const getRun = async (deps: GetRunDeps, input: { user: User; runId: string }): Promise<RunView> =>
  viewRun(deps, await loadReadableRun(deps, input.user, input.runId));
