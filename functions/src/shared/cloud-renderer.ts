import type { NotebookRenderer } from '../ports/notebook-renderer.ts';

/**
 * A renderer built by load() on first use and kept: a failed load is not kept, so the next render tries again
 * instead of failing for the container's life.
 */
export const lazyNotebookRenderer = (load: () => Promise<NotebookRenderer>): NotebookRenderer => {
  let loaded: Promise<NotebookRenderer> | undefined;
  return {
    async render(notebook, options) {
      loaded ??= load().catch((err: unknown) => {
        loaded = undefined;
        throw err;
      });
      return (await loaded).render(notebook, options);
    },
  };
};

/**
 * The cloud's renderer, loaded on first render: sanitize-html, postcss, marked and ansi_up are about 300 KB that
 * a cold start would otherwise load for every request, and only the /html routes need them. Only the notebooks
 * and runs entries import this module, so only their bundles carry the renderer's chunk.
 */
export const makeCloudRenderer = (): NotebookRenderer =>
  lazyNotebookRenderer(async () => new (await import('../adapters/system/html-notebook-renderer.ts')).HtmlNotebookRenderer());
