import { parseNotebook } from '../domain/nbformat.ts';
import type { User } from '../domain/user.ts';
import { pageOptions, renderThroughCache } from './cached-render.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadVersion } from './load-version.ts';
import { loadReadable } from './notebook-access.ts';

/** What rendering a version needs: the records, the body, the renderer and its cache, the output cap. */
export type RenderVersionDeps = Pick<FoliumDeps, 'notebooks' | 'bodies' | 'limits' | 'renderer' | 'renderCache'>;

/**
 * Renders one version of a notebook to a self-contained, sanitized HTML page.
 * 1. Load the notebook (the user must be able to read it) and the version record, with its sha256.
 * 2. Serve the page kept for that sha256 and title if there is one (one read, no render).
 * 3. Otherwise read the body, parse it (it was validated at commit), render it and keep the page.
 */
export const renderVersion = async (
  deps: RenderVersionDeps,
  input: { user: User; notebookId: string; version?: number },
): Promise<string> => {
  const notebook = await loadReadable(deps.notebooks, input.user, input.notebookId);
  const version = await loadVersion(deps, notebook, input.version);
  const source = { kind: 'version', sha256: version.sha256 } as const;
  return renderThroughCache(deps, source, pageOptions(deps, `${notebook.title} · v${version.version}`), async () => {
    const bytes = await deps.bodies.getBody(version.sha256);
    return { notebook: parseNotebook(new TextDecoder().decode(bytes)).notebook, source };
  });
};
