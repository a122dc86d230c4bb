import { NotFoundError } from '../domain/errors.ts';
import { parseNotebook } from '../domain/nbformat.ts';
import type { User } from '../domain/user.ts';
import type { PresignedRequest } from '../ports/body-store.ts';
import { pageOptions, renderThroughCache } from './cached-render.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadReadableRun } from './run-access.ts';
import type { RunDeps } from './run-deps.ts';

/** What presigning a run's output needs. */
export type GetRunOutputDeps = Pick<RunDeps, 'runs' | 'runFiles'> & Pick<FoliumDeps, 'limits'>;

/** What rendering a run's output needs: the above, the renderer and its cache. */
export type RenderRunOutputDeps = GetRunOutputDeps & Pick<FoliumDeps, 'renderer' | 'renderCache'>;

/**
 * A presigned download of a run's output notebook (partial when the run failed or stopped).
 * 1. Load the run the user may read; 404 while it has no output yet.
 */
export const getRunOutput = async (
  deps: GetRunOutputDeps,
  input: { user: User; runId: string },
): Promise<PresignedRequest> => {
  const run = await loadReadableRun(deps, input.user, input.runId);
  if (!run.hasOutput) throw new NotFoundError(`run ${run.id} has no output yet (it is ${run.status})`);
  return deps.runFiles.presignGet(run.outputKey, deps.limits.urlSeconds, `${run.id}-output.ipynb`);
};

/**
 * A run's output notebook rendered by the Folium renderer: sanitized, self-contained HTML.
 * 1. Load the run the user may read and its output's tag (S3's ETag); 404 while there is no output.
 * 2. Serve the page kept for that tag and title if there is one (no render, no read of the output).
 * 3. Otherwise read the output, at most as large as the largest notebook the archive takes (413 past it: the
 *    download is still there), render it and keep the page, unless the output changed while it was read.
 */
export const renderRunOutput = async (
  deps: RenderRunOutputDeps,
  input: { user: User; runId: string },
): Promise<string> => {
  const run = await loadReadableRun(deps, input.user, input.runId);
  const noOutput = () => new NotFoundError(`run ${run.id} has no output yet (it is ${run.status})`);
  const tag = run.hasOutput ? await deps.runFiles.tag(run.outputKey) : null;
  if (!tag) throw noOutput();
  const source = { kind: 'run-output', runId: run.id, tag } as const;
  return renderThroughCache(deps, source, pageOptions(deps, `Run ${run.id} · ${run.status}`), async () => {
    const bytes = await deps.runFiles.getBounded(run.outputKey, deps.limits.uploadBytes);
    if (!bytes) throw noOutput();
    const unchanged = (await deps.runFiles.tag(run.outputKey)) === tag;
    return { notebook: parseNotebook(new TextDecoder().decode(bytes)).notebook, source: unchanged ? source : null };
  });
};
