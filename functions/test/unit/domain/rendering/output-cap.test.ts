import { describe, expect, it } from 'vitest';
import type { Cell, NotebookJson, Output } from '../../../../src/domain/nbformat.ts';
import { renderNotebookHtml } from '../../../../src/domain/rendering/notebook-html.ts';

const notebookOf = (cells: Cell[]): NotebookJson => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells,
});
const codeCell = (outputs: Output[]): Cell => ({
  cell_type: 'code',
  metadata: {},
  source: 'x',
  outputs,
  execution_count: 1,
});
const markdownCell = (source: string): Cell => ({ cell_type: 'markdown', metadata: {}, source });
const stream = (text: string): Output => ({ output_type: 'stream', name: 'stdout', text });
const display = (data: Record<string, unknown>): Output => ({ output_type: 'display_data', data, metadata: {} });
const marker = (kb: number) => `<p class="nb-output-truncated">output truncated (${kb} KB more)</p>`;

describe('the per-output cap', () => {
  it('keeps the head of a stream past the cap and says how much more there was', () => {
    // Prepare
    const notebook = notebookOf([codeCell([stream('a'.repeat(5000))])]);

    // Act
    const html = renderNotebookHtml(notebook, { title: 't', maxOutputBytes: 1024 });

    // Assess: 5000 - 1024 = 3976 bytes left out, shown rounded up
    expect(html).toContain(`<pre class="nb-stream nb-stream-stdout">${'a'.repeat(1024)}</pre>${marker(4)}`);
  });

  it('never cuts a character in half', () => {
    // Prepare
    const notebook = notebookOf([codeCell([stream('é'.repeat(1000))]), codeCell([stream('😀'.repeat(300))])]);

    // Act
    const html = renderNotebookHtml(notebook, { title: 't', maxOutputBytes: 1003 });

    // Assess
    expect(html).toContain(`>${'é'.repeat(501)}</pre>${marker(1)}`);
    expect(html).toContain(`>${'😀'.repeat(250)}</pre>${marker(1)}`);
  });

  it('cuts plain text, HTML and tracebacks the same way, closing the HTML it cut', () => {
    // Prepare
    const error: Output = { output_type: 'error', ename: 'E', evalue: 'v', traceback: ['t'.repeat(3000), 'E: v'] };
    const notebook = notebookOf([
      codeCell([display({ 'text/plain': 'p'.repeat(3000) })]),
      codeCell([display({ 'text/html': `<table><tr><td>${'h'.repeat(3000)}</td></tr></table>` })]),
      codeCell([error]),
    ]);

    // Act
    const html = renderNotebookHtml(notebook, { title: 't', maxOutputBytes: 1024 });

    // Assess
    expect(html).toContain(`<pre class="nb-output-text">${'p'.repeat(1024)}</pre>${marker(2)}`);
    expect(html).toContain(
      `<div class="nb-output-html"><table><tr><td>${'h'.repeat(1024 - 15)}</td></tr></table></div>${marker(2)}`,
    );
    expect(html).toContain(`<pre class="nb-error">${'t'.repeat(1024)}</pre>${marker(2)}`);
  });

  it('shows a note instead of an image larger than the cap', () => {
    // Prepare
    const notebook = notebookOf([codeCell([display({ 'image/png': 'AAAA'.repeat(1000), 'text/plain': 'figure' })])]);

    // Act
    const html = renderNotebookHtml(notebook, { title: 't', maxOutputBytes: 1024 });

    // Assess
    expect(html).toContain('<p class="nb-output-truncated">image not shown (4 KB, over the 1 KB limit per output)</p>');
    expect(html).not.toContain('<img');
  });

  it('shows an output of 3 MB whole under the default cap', () => {
    // Prepare
    const notebook = notebookOf([codeCell([stream('x'.repeat(3 * 1024 * 1024))])]);

    // Act
    const html = renderNotebookHtml(notebook, { title: 't' });

    // Assess
    expect(html).toContain(`${'x'.repeat(3 * 1024 * 1024)}</pre>`);
    expect(html).not.toContain('class="nb-output-truncated"');
  });
});

describe('the markdown allowance of a page', () => {
  it('renders markdown until the allowance runs out, then shows the rest as text with a note', () => {
    // Prepare
    const notebook = notebookOf([markdownCell(`# One\n${'a'.repeat(600)}`), markdownCell(`# Two\n${'b'.repeat(600)}`)]);

    // Act
    const html = renderNotebookHtml(notebook, { title: 't', markdownChars: 1000 });

    // Assess
    expect(html).toContain('<h1>One</h1>');
    expect(html).toContain(
      '<p class="nb-render-note">' +
        'Shown as plain text because the notebook has more than 1 K characters of markdown.</p>',
    );
    expect(html).toContain(`<pre class="nb-plain-text"># Two\n${'b'.repeat(600)}</pre>`);
  });
});
