import type { NotebookRenderer } from '../ports/notebook-renderer.ts';
import { lazyPort } from './lazy-port.ts';

/** A renderer built by load() on first use and kept (a failed load is tried again on the next render). */
export const lazyNotebookRenderer = (load: () => Promise<NotebookRenderer>): NotebookRenderer =>
  lazyPort(load, { render: true });

/**
 * The cloud's renderer, loaded on first render: sanitize-html, postcss, marked and ansi_up are about 300 KB that
 * a cold start would otherwise load for every request, and only the /html routes need them. Only the notebooks
 * and runs entries import this module, so only their bundles carry the renderer's chunk.
 */
export const makeCloudRenderer = (): NotebookRenderer =>
  lazyNotebookRenderer(async () => {
    const { HtmlNotebookRenderer } = await import('../adapters/system/html-notebook-renderer.ts');
    return new HtmlNotebookRenderer();
  });
