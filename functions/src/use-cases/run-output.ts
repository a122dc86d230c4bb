import { NotFoundError } from '../domain/errors.ts';
import { parseNotebook } from '../domain/nbformat.ts';
import type { User } from '../domain/user.ts';
import type { PresignedRequest } from '../ports/body-store.ts';
import { loadReadableRun } from './run-access.ts';
import type { RunDeps } from './run-deps.ts';

/**
 * A presigned download of a run's output notebook (partial when the run failed or stopped).
 * 1. Load the run the user may read; 404 while it has no output yet.
 */
export const getRunOutput = async (deps: RunDeps, input: { user: User; runId: string }): Promise<PresignedRequest> => {
  const run = await loadReadableRun(deps, input.user, input.runId);
  if (!run.hasOutput) throw new NotFoundError(`run ${run.id} has no output yet (it is ${run.status})`);
  return deps.runFiles.presignGet(run.outputKey, deps.limits.urlSeconds, `${run.id}-output.ipynb`);
};

/**
 * A run's output notebook rendered by the Folium renderer: sanitized, self-contained HTML.
 * 1. Load the run the user may read and its output; 404 while there is none.
 */
export const renderRunOutput = async (deps: RunDeps, input: { user: User; runId: string }): Promise<string> => {
  const run = await loadReadableRun(deps, input.user, input.runId);
  const bytes = run.hasOutput ? await deps.runFiles.get(run.outputKey) : null;
  if (!bytes) throw new NotFoundError(`run ${run.id} has no output yet (it is ${run.status})`);
  const { notebook } = parseNotebook(new TextDecoder().decode(bytes));
  return deps.renderer.render(notebook, { title: `Run ${run.id} · ${run.status}` });
};
