import type { NotebookJson } from '../../domain/nbformat.ts';
import { renderNotebookHtml, type RenderNotebookOptions } from '../../domain/rendering/notebook-html.ts';
import type { NotebookRenderer } from '../../ports/notebook-renderer.ts';

/** The Folium renderer in process: local mode and tests, and what the cloud's lazy renderer loads. */
export class HtmlNotebookRenderer implements NotebookRenderer {
  async render(notebook: NotebookJson, options: RenderNotebookOptions): Promise<string> {
    return renderNotebookHtml(notebook, options);
  }
}
