import type { NotebookJson } from '../domain/nbformat.ts';
import type { RenderNotebookOptions } from '../domain/rendering/notebook-html.ts';
import { renderKey, type RenderSource } from '../domain/rendering/render-key.ts';
import type { FoliumDeps } from './folium-deps.ts';

/** What a page is rendered with besides the notebook: its title, and the limits from configuration. */
export const pageOptions = (deps: Pick<FoliumDeps, 'limits'>, title: string): RenderNotebookOptions =>
  deps.limits.renderOutputBytes === undefined ? { title } : { title, maxOutputBytes: deps.limits.renderOutputBytes };

/**
 * A page from the cache, or rendered and kept.
 * 1. Look the page up by its exact key (source and options); a cache that cannot answer counts as a miss.
 * 2. On a miss, load the notebook (`load` may name a more exact source than `source`, e.g. the tag of the
 *    bytes it read), render it and keep the page under the loaded source's key; a failed write loses only
 *    the saving, never the view.
 */
export const renderThroughCache = async (
  deps: Pick<FoliumDeps, 'renderer' | 'renderCache'>,
  source: RenderSource,
  options: RenderNotebookOptions,
  load: () => Promise<{ notebook: NotebookJson; source: RenderSource | null }>,
): Promise<string> => {
  const cached = await deps.renderCache.get(renderKey(source, options)).catch(() => null);
  if (cached !== null) return cached;
  const loaded = await load();
  const html = await deps.renderer.render(loaded.notebook, options);
  if (loaded.source) await deps.renderCache.put(renderKey(loaded.source, options), html).catch(() => undefined);
  return html;
};
