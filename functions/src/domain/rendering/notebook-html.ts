import { joinSource, kernelOf, type Cell, type NotebookJson } from '../nbformat.ts';
import { cleanBase64 } from './base64.ts';
import { escapeHtml, textOf } from './html-text.ts';
import { renderMarkdown } from './markdown.ts';
import { renderOutputs } from './outputs.ts';
import { DEFAULT_RENDER_LIMITS, RenderBudget } from './render-limits.ts';
import type { AttachmentResolver } from './sanitize.ts';
import { NOTEBOOK_CSS } from './styles.ts';

/** What a rendered page needs besides the notebook. */
export interface RenderNotebookOptions {
  title: string;
  /** Per-output cap in UTF-8 bytes (DEFAULT_RENDER_LIMITS.maxOutputBytes when absent): past it the head is shown. */
  maxOutputBytes?: number;
  /** Markdown characters per notebook that go through the markdown parser (DEFAULT_RENDER_LIMITS when absent). */
  markdownChars?: number;
}

/** The rendered page's Content-Security-Policy, kept where its importers have always found it. */
export { NOTEBOOK_HTML_CSP } from './notebook-csp.ts';

type CellOf<K extends Cell['cell_type']> = Extract<Cell, { cell_type: K }>;
type CellRenderers = {
  [K in Cell['cell_type']]: (cell: CellOf<K>, language: string | null, budget: RenderBudget) => string;
};

const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'image/gif'];

/** Resolves `attachment:name` to a data: URI, for PNG, JPEG and GIF attachments with clean base64 only. */
export const attachmentResolver =
  (attachments: Record<string, unknown> | undefined): AttachmentResolver =>
  (name) => {
    const bundle = attachments && Object.hasOwn(attachments, name) ? attachments[name] : undefined;
    if (!bundle || typeof bundle !== 'object') return undefined;
    for (const mime of ATTACHMENT_TYPES) {
      const text = textOf((bundle as Record<string, unknown>)[mime]);
      const base64 = text === undefined ? undefined : cleanBase64(text);
      if (base64) return `data:${mime};base64,${base64}`;
    }
    return undefined;
  };

// The kernel's language ends up in a class name: anything but a plain language name gets no class.
const languageClass = (language: string | null): string => {
  const slug = (language ?? '').trim().toLowerCase();
  return /^[a-z0-9+#_.-]{1,40}$/.test(slug) ? ` class="language-${slug}"` : '';
};

const cellBlock = (kind: string, bodyClass: string, promptHtml: string, body: string, after = ''): string =>
  `<div class="nb-cell nb-${kind}-cell">${promptHtml}` +
  `<div class="nb-cell-body ${bodyClass}">${body}</div>${after}</div>\n`;

const emptyPrompt = '<div class="nb-prompt"></div>';

const CELL_RENDERERS: CellRenderers = {
  code: (cell, language, budget) => {
    const count = cell.execution_count ?? ' ';
    const promptHtml = `<div class="nb-prompt nb-input-prompt">In [${count}]:</div>`;
    const source = `<pre><code${languageClass(language)}>${escapeHtml(joinSource(cell.source))}</code></pre>`;
    const outputs = renderOutputs(cell.outputs, budget);
    return cellBlock('code', 'nb-input', promptHtml, source, outputs ? `<div class="nb-outputs">${outputs}</div>` : '');
  },
  markdown: (cell, _language, budget) => {
    const html = renderMarkdown(joinSource(cell.source), {
      resolveAttachment: attachmentResolver(cell.attachments),
      budget,
    });
    return cellBlock('markdown', 'nb-markdown', emptyPrompt, html);
  },
  raw: (cell) =>
    cellBlock('raw', 'nb-raw-source', emptyPrompt, `<pre class="nb-raw">${escapeHtml(joinSource(cell.source))}</pre>`),
};

/**
 * Renders one cell to safe HTML, with `language` the kernel's language for code highlighting classes; `budget` is
 * the page's (its limits are shared by every cell of a notebook).
 */
export const renderCell = (cell: Cell, language: string | null, budget: RenderBudget = new RenderBudget()): string =>
  (CELL_RENDERERS[cell.cell_type] as (cell: Cell, language: string | null, budget: RenderBudget) => string)(
    cell,
    language,
    budget,
  );

/** The page budget for one render: the options' limits over the defaults. */
export const pageBudget = (options: Omit<RenderNotebookOptions, 'title'>): RenderBudget =>
  new RenderBudget({
    maxOutputBytes: options.maxOutputBytes ?? DEFAULT_RENDER_LIMITS.maxOutputBytes,
    markdownChars: options.markdownChars ?? DEFAULT_RENDER_LIMITS.markdownChars,
  });

/** Renders a validated notebook as one self-contained HTML page: inline CSS, data: images, no script. */
export const renderNotebookHtml = (notebook: NotebookJson, options: RenderNotebookOptions): string => {
  const kernel = kernelOf(notebook.metadata);
  const kernelName = kernel.displayName ?? kernel.name ?? kernel.language ?? 'unknown kernel';
  const title = escapeHtml(options.title);
  const budget = pageBudget(options);
  const cells = notebook.cells.map((cell) => renderCell(cell, kernel.language, budget)).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>
${NOTEBOOK_CSS}
</style>
</head>
<body>
<header class="nb-header"><h1 class="nb-title">${title}</h1><p class="nb-kernel">Kernel: <span class="nb-kernel-name">${escapeHtml(kernelName)}</span></p></header>
<main class="nb-notebook">
${cells}</main>
</body>
</html>
`;
};
