import type { NotebookJson } from '../domain/nbformat.ts';
import type { RenderNotebookOptions } from '../domain/rendering/notebook-html.ts';

/**
 * Turns a parsed notebook into a self-contained, sanitized HTML page. A port rather than a direct call so the
 * cloud can load the renderer (sanitize-html, postcss, marked, ansi_up) on first use instead of at every cold start.
 */
export interface NotebookRenderer {
  /** The page for one notebook, with options.title as its title; nothing from the notebook can run in it. */
  render(notebook: NotebookJson, options: RenderNotebookOptions): Promise<string>;
}
