import { readFileSync } from 'node:fs';
import { Lexer, Tokenizer } from 'marked';
import { describe, expect, it, vi } from 'vitest';
import { parseNotebook, type Cell, type NotebookJson, type Output } from '../../../../src/domain/nbformat.ts';
import { renderMarkdown } from '../../../../src/domain/rendering/markdown.ts';
import { renderNotebookHtml } from '../../../../src/domain/rendering/notebook-html.ts';
import { recordRegexRuns, UNBOUNDED_SPAN, type RegexRun } from '../../../support/regex-runs.ts';

// Adversarial markdown from the security review, as a function of its repetition count.
const ADVERSARIAL: Record<string, (n: number) => string> = {
  'unclosed display math in every paragraph': (n) => '\\[x\n\n'.repeat(n),
  'unclosed inline math after every word': (n) => 'a \\('.repeat(n),
  'unclosed inline math before every emphasis': (n) => '\\( *a '.repeat(n),
  'underscores inside one long word': (n) => '_a'.repeat(n),
  'strong openers without closers': (n) => '**a'.repeat(n),
};

const notebookOf = (cells: Cell[]): NotebookJson => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells,
});
const markdownCell = (source: string): Cell => ({ cell_type: 'markdown', metadata: {}, source });
const codeCell = (outputs: Output[]): Cell => ({
  cell_type: 'code',
  metadata: {},
  source: '',
  outputs,
  execution_count: 1,
});
const streamOf = (text: string): Output => ({ output_type: 'stream', name: 'stdout', text });

const work = (runs: RegexRun[]) => ({ runs: runs.length, starts: runs.reduce((sum, run) => sum + run.startsTried, 0) });

// marked's own rules (our copies bound the e-mail look-ahead to 64 characters) and ansi_up's template compiler
// are the libraries' business; this suite checks the patterns the renderer itself runs over notebook text.
const LIBRARY_SOURCES = new Set<string>([
  ...[Lexer.rules.block, Lexer.rules.inline]
    .flatMap((grammar) => Object.values(grammar).flatMap((rules) => Object.values(rules as Record<string, RegExp>)))
    .map((rule) => rule.source),
  '^\\s+|\\s+\\n|\\s*#[\\s\\S]*?\\n|\\n',
]);
const isLibraryRule = (source: string): boolean =>
  LIBRARY_SOURCES.has(source.replaceAll('{1,64}@', '+@').replaceAll('{1,64}(@)', '+(@)'));

describe('rendering cost', () => {
  it.each(Object.entries(ADVERSARIAL))('grows linearly in regular-expression work for %s', (_name, make) => {
    // Prepare
    const small = make(200);
    const large = make(800);

    // Act
    const before = work(recordRegexRuns(() => renderMarkdown(small)).runs);
    const after = work(recordRegexRuns(() => renderMarkdown(large)).runs);

    // Assess: four times the text may cost at most five times the runs and the start positions tried
    expect(after.runs).toBeLessThanOrEqual(5 * before.runs);
    expect(after.starts).toBeLessThanOrEqual(5 * before.starts);
  });

  it('runs no pattern of its own with an unbounded lazy span or an end-pinned run over notebook text', () => {
    // Prepare
    const corpus = parseNotebook(
      readFileSync(new URL('../../../fixtures/xss-corpus.ipynb', import.meta.url), 'utf8'),
    ).notebook;
    const adversarial = notebookOf([
      ...Object.values(ADVERSARIAL).map((make) => markdownCell(make(20))),
      markdownCell('Text $a_1$ and $$x$$ and `code $y$` and \\(z\\) and \\[w\\]\n\n$$\nblock\n$$\n'),
      codeCell([streamOf('progress 10%\rprogress 100%\r\r\ndone\n')]),
    ]);

    // Act
    const { runs } = recordRegexRuns(() => [
      renderNotebookHtml(corpus, { title: 'c' }),
      renderNotebookHtml(adversarial, { title: 'a' }),
    ]);

    // Assess
    const ours = [...new Set(runs.map((run) => run.source))].filter((source) => !isLibraryRule(source));
    expect(ours.filter((source) => UNBOUNDED_SPAN.test(source))).toEqual([]);
  });

  it('builds table cells linearly in the text when the header is as wide as the body is long', () => {
    // Prepare: marked pads every row to the header's width, so n columns over n rows are n² cells
    const square = (n: number) => `|${'a|'.repeat(n)}\n|${'-|'.repeat(n)}\n${'a\n'.repeat(n)}`;
    const original = Tokenizer.prototype.table;
    const cellsBuilt = (source: string) => {
      let cells = 0;
      const table = vi.spyOn(Tokenizer.prototype, 'table').mockImplementation(function (this: Tokenizer, src: string) {
        const token = original.call(this, src);
        cells += token ? token.header.length + token.rows.reduce((sum, row) => sum + row.length, 0) : 0;
        return token;
      });
      try {
        return { html: renderMarkdown(source), cells };
      } finally {
        table.mockRestore();
      }
    };

    // Act
    const small = cellsBuilt(square(200));
    const large = cellsBuilt(square(800));

    // Assess
    expect(small.html).toContain('<table>');
    expect(large.cells).toBeLessThanOrEqual(5 * small.cells);
  });

  it('still renders a long, narrow table whole', () => {
    // Prepare
    const table = `| name | value |\n|---|---|\n${'| x | 1 |\n'.repeat(5000)}`;

    // Act
    const html = renderMarkdown(table);

    // Assess
    expect(html).toContain('<table>');
    expect(html.split('<tr>').length - 1).toBe(5001);
  });

  it('folds carriage returns in a stream without a pattern pinned to the end of each line', () => {
    // Prepare
    const notebook = notebookOf([codeCell([streamOf(`${'\r'.repeat(1000)}x\n${'step\r\rdone\r\n'.repeat(100)}`)])]);

    // Act
    const { runs } = recordRegexRuns(() => renderNotebookHtml(notebook, { title: 's' }));

    // Assess: `/\r+$/` tried from every position of a line re-reads the run of \r each time
    expect(runs.filter((run) => /[+*]\$$/.test(run.source)).map((run) => run.source)).toEqual([]);
  });
});

describe('adversarial markdown renders as before', () => {
  it('keeps unclosed delimiters as text and closed math literal', () => {
    // Prepare
    const sources = ['\\[x\n\n'.repeat(300), 'a \\('.repeat(300), '\\( *a '.repeat(300), '$x$ \\(*a*\\) '.repeat(300)];

    // Act
    const html = sources.map((source) => renderMarkdown(source));

    // Assess
    expect(html[0]).toBe('<p>[x</p>\n'.repeat(300));
    expect(html[1]).toBe(`<p>${'a ('.repeat(300)}</p>\n`);
    expect(html[2]).toBe(`<p>${'( *a '.repeat(300)}</p>\n`);
    expect(html[3]).toBe(
      `<p>${'<span class="nb-math">$x$</span> <span class="nb-math">\\(*a*\\)</span> '.repeat(300)}</p>\n`,
    );
  });

  it('keeps a carriage-return progress bar of 40,000 rewrites to its last state', () => {
    // Prepare
    const notebook = notebookOf([
      codeCell([streamOf(`${'\r'.repeat(40_000)}x\n${'.'.repeat(10)}\r${'#'.repeat(10)}\r\r`)]),
    ]);

    // Act
    const html = renderNotebookHtml(notebook, { title: 's' });

    // Assess
    expect(html).toContain(`<pre class="nb-stream nb-stream-stdout">x\n${'#'.repeat(10)}\r\r</pre>`);
  });
});

describe('markdown the parser cannot handle in linear time', () => {
  const NOTE = /<p class="nb-render-note">Shown as plain text because [^<]+\.<\/p><pre class="nb-plain-text">/;

  it.each([
    ['block quotes nested 5,000 deep', `${'>'.repeat(5000)} a`],
    ['lists nested 5,000 deep', `${'- '.repeat(5000)}a`],
    ['a list item with 20,000 lazy lines', `- a\n${'b\n'.repeat(20_000)}`],
    ['emphasis openers that each search to the end', '_www.'.repeat(4000)],
    ['HTML nested 300 elements deep', `${'<div>'.repeat(300)}x`],
  ])('shows %s as escaped text under a note', (_name, source) => {
    // Act
    const html = renderMarkdown(source);

    // Assess
    expect(html).toMatch(NOTE);
    expect(html).toContain(source.slice(0, 50).replaceAll('<', '&lt;').replaceAll('>', '&gt;'));
  });

  it('still renders a list item with a long but ordinary paragraph', () => {
    // Prepare
    const source = `- first line\n${'  more of the same item\n'.repeat(300)}- second item\n`;

    // Act
    const html = renderMarkdown(source);

    // Assess
    expect(html).not.toMatch(NOTE);
    expect(html).toContain('<li>second item</li>');
  });
});
