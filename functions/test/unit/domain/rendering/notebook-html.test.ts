import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNotebook, type Cell, type NotebookJson, type Output } from '../../../../src/domain/nbformat.ts';
import { ansiToHtml } from '../../../../src/domain/rendering/ansi.ts';
import { cleanBase64, encodeBase64Utf8 } from '../../../../src/domain/rendering/base64.ts';
import { renderMarkdown } from '../../../../src/domain/rendering/markdown.ts';
import { MIME_PREFERENCE, mimeRenderer } from '../../../../src/domain/rendering/mime-renderers.ts';
import { NOTEBOOK_HTML_CSP, renderNotebookHtml } from '../../../../src/domain/rendering/notebook-html.ts';
import { sanitizeUntrustedHtml } from '../../../../src/domain/rendering/sanitize.ts';

const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const notebookOf = (cells: Cell[], metadata: Record<string, unknown> = {}): NotebookJson => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' }, ...metadata },
  cells,
});
const codeCell = (source: string, outputs: Output[] = [], executionCount: number | null = 1): Cell => ({
  cell_type: 'code',
  metadata: {},
  source,
  outputs,
  execution_count: executionCount,
});
const markdownCell = (source: string, attachments?: Record<string, unknown>): Cell => ({
  cell_type: 'markdown',
  metadata: {},
  source,
  ...(attachments ? { attachments } : {}),
});
const render = (cells: Cell[], metadata?: Record<string, unknown>): string =>
  renderNotebookHtml(notebookOf(cells, metadata), { title: 'T' });
const body = (html: string): string => html.slice(html.indexOf('<main'));
const decodeDataUri = (html: string): string =>
  Buffer.from(/base64,([^"]+)"/.exec(html)![1]!, 'base64').toString('utf8');
// Every real tag in the output: escaped text cannot produce a `<` followed by a letter.
const tagsOf = (html: string): string[] => html.match(/<[a-z][^>]*>/gi) ?? [];

describe('renderNotebookHtml', () => {
  it('produces a whole page with a charset, an escaped title, the kernel name and no script', () => {
    // Prepare
    const notebook = notebookOf([]);

    // Act
    const html = renderNotebookHtml(notebook, { title: 'Sales <b>& "Q3"' });

    // Assess
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>Sales &lt;b&gt;&amp; &quot;Q3&quot;</title>');
    expect(html).toContain('Python 3 (ipykernel)');
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|\bsrc="https?:|\bhref="https?:/i);
  });

  it('escapes a kernel display name that carries markup', () => {
    // Prepare
    const metadata = { kernelspec: { name: 'x', display_name: '<img src=x onerror=alert(1)>', language: 'python' } };

    // Act
    const html = render([], metadata);

    // Assess
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(tagsOf(html).some((tag) => tag.startsWith('<img'))).toBe(false);
  });

  it('shows code with its In prompt, the kernel language class and escaped source', () => {
    // Prepare
    const cells = [codeCell('if a < b and c > d: print("</code>")', [], 7), codeCell('pass', [], null)];

    // Act
    const html = render(cells);

    // Assess
    expect(html).toContain('In [7]:');
    expect(html).toContain('In [ ]:');
    expect(html).toContain(
      '<pre><code class="language-python">if a &lt; b and c &gt; d: print(&quot;&lt;/code&gt;&quot;)</code></pre>',
    );
  });

  it('gives code no language class when the kernel language is not a plain name', () => {
    // Prepare
    const metadata = { kernelspec: { name: 'x', display_name: 'X', language: 'python" onclick="alert(1)' } };

    // Act
    const html = render([codeCell('1')], metadata);

    // Assess
    expect(html).toContain('<pre><code>1</code></pre>');
  });

  it('merges consecutive stdout chunks, keeps the last rewrite of a \\r line and styles stderr apart', () => {
    // Prepare
    const outputs: Output[] = [
      { output_type: 'stream', name: 'stdout', text: ['10%\r50%\r100%\n', 'done <ok>\n'] },
      { output_type: 'stream', name: 'stdout', text: 'more\n' },
      { output_type: 'stream', name: 'stderr', text: 'warning: & careful\n' },
    ];

    // Act
    const html = render([codeCell('run()', outputs)]);

    // Assess
    expect(html).toContain('<pre class="nb-stream nb-stream-stdout">100%\ndone &lt;ok&gt;\nmore\n</pre>');
    expect(html).toContain('nb-output-stderr');
    expect(html).toContain('<pre class="nb-stream nb-stream-stderr">warning: &amp; careful\n</pre>');
  });

  it('shows an error traceback with ANSI colours as classes and escaped text', () => {
    // Prepare
    const error: Output = {
      output_type: 'error',
      ename: 'ValueError',
      evalue: 'bad <value>',
      traceback: ['\x1b[0;31mValueError\x1b[0m: bad <value>'],
    };

    // Act
    const html = render([codeCell('raise', [error])]);

    // Assess
    expect(html).toContain(
      '<pre class="nb-error"><span class="ansi-red-fg">ValueError</span>: bad &lt;value&gt;</pre>',
    );
  });

  it('falls back to ename and evalue when a kernel sends an empty traceback', () => {
    // Prepare
    const error: Output = { output_type: 'error', ename: 'KeyError', evalue: "'<k>'", traceback: [] };

    // Act
    const html = render([codeCell('d[k]', [error])]);

    // Assess
    expect(html).toContain('<pre class="nb-error">KeyError: &#39;&lt;k&gt;&#39;</pre>');
  });

  it('labels an execute result with its Out prompt', () => {
    // Prepare
    const result: Output = {
      output_type: 'execute_result',
      execution_count: 4,
      data: { 'text/plain': '42' },
      metadata: {},
    };

    // Act
    const html = render([codeCell('6 * 7', [result], 4)]);

    // Assess
    expect(html).toContain('Out[4]:');
    expect(html).toContain('<pre class="nb-output-text">42</pre>');
  });

  it('shows a raw cell as escaped preformatted text', () => {
    // Prepare
    const raw: Cell = { cell_type: 'raw', metadata: {}, source: '<b>{{ jinja }}</b>' };

    // Act
    const html = render([raw]);

    // Assess
    expect(html).toContain('<pre class="nb-raw">&lt;b&gt;{{ jinja }}&lt;/b&gt;</pre>');
  });

  it('renders the XSS corpus fixture with no script, event handler or script URL in any tag', () => {
    // Prepare
    const { notebook } = parseNotebook(
      readFileSync(new URL('../../../fixtures/xss-corpus.ipynb', import.meta.url), 'utf8'),
    );

    // Act
    const tags = tagsOf(body(renderNotebookHtml(notebook, { title: 'corpus' })));

    // Assess
    expect(tags.length).toBeGreaterThan(100);
    expect(
      tags.filter((tag) =>
        /^<(script|iframe|object|embed|form|meta|base|link|svg|math|style|template|noscript)\b/i.test(tag),
      ),
    ).toEqual([]);
    expect(tags.filter((tag) => /\son\w+\s*=|javascript:|vbscript:|\sstyle=|\sid=|\sname=/i.test(tag))).toEqual([]);
  });
});

describe('NOTEBOOK_HTML_CSP', () => {
  it('loads nothing but data: images and inline styles, runs no script and may be framed by the portal', () => {
    // Prepare
    const directives = new Map(
      NOTEBOOK_HTML_CSP.split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );

    // Act
    const sandbox = directives.get('sandbox');

    // Assess
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('img-src')).toEqual(['data:']);
    expect(directives.get('style-src')).toEqual(["'unsafe-inline'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'self'"]);
    expect(sandbox).toBeDefined();
    expect(sandbox).not.toContain('allow-scripts');
    expect(sandbox).not.toContain('allow-same-origin');
    expect(NOTEBOOK_HTML_CSP).not.toMatch(/unsafe-eval|script-src [^;]*'(?:self|unsafe-inline)'/);
  });
});

describe('rich outputs', () => {
  const outputHtml = (data: Record<string, unknown>, metadata: Record<string, unknown> = {}): string =>
    body(render([codeCell('show()', [{ output_type: 'display_data', data, metadata }])]));

  it('prefers text/html, then SVG, PNG, JPEG, markdown, LaTeX and plain text, as nbconvert does', () => {
    // Prepare
    const expected = [
      'text/html',
      'image/svg+xml',
      'image/png',
      'image/jpeg',
      'text/markdown',
      'text/latex',
      'text/plain',
    ];

    // Act
    const html = outputHtml({ 'text/plain': 'plain', 'image/png': PNG_1X1, 'text/html': '<b>rich</b>' });

    // Assess
    expect(MIME_PREFERENCE).toEqual(expected);
    expect(html).toContain('<div class="nb-output-html"><b>rich</b></div>');
    expect(html).not.toContain('plain');
  });

  it('shows SVG as a base64 data: image, never inline, keeping its UTF-8 text', () => {
    // Prepare
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><text>température ✓ 🚀</text></svg>';

    // Act
    const html = outputHtml({ 'image/svg+xml': svg.split(/(?<=>)/), 'text/plain': 'svg' });

    // Assess
    expect(html).toContain('<img src="data:image/svg+xml;base64,');
    expect(html).not.toContain('<svg');
    expect(decodeDataUri(html)).toBe(svg);
  });

  it.each(['image/png', 'image/jpeg'])('shows %s as a data: image with its size from metadata', (mime) => {
    // Prepare
    const metadata = { [mime]: { width: 320, height: '"><script>' } };

    // Act
    const html = outputHtml({ [mime]: `${PNG_1X1.slice(0, 40)}\n${PNG_1X1.slice(40)}\n` }, metadata);

    // Assess
    expect(html).toContain(
      `<img src="data:${mime};base64,${PNG_1X1}" alt="No description has been provided for this image" width="320">`,
    );
  });

  it('falls back to text/plain when an image payload is not pure base64', () => {
    // Prepare
    const payload = `${PNG_1X1}" onerror="alert(1)`;

    // Act
    const html = outputHtml({ 'image/png': payload, 'text/plain': '<Figure>' });

    // Assess
    expect(html).not.toContain('<img');
    expect(html).toContain('<pre class="nb-output-text">&lt;Figure&gt;</pre>');
  });

  it('renders text/markdown through the markdown pipeline and text/latex as escaped text', () => {
    // Prepare
    const markdown = { 'text/markdown': '**bold** $x_1$' };
    const latex = { 'text/latex': '$\\frac{a}{b} < c_1$' };

    // Act
    const [markdownHtml, latexHtml] = [outputHtml(markdown), outputHtml(latex)];

    // Assess
    expect(markdownHtml).toContain('<strong>bold</strong> <span class="nb-math">$x_1$</span>');
    expect(latexHtml).toContain('<pre class="nb-output-latex">$\\frac{a}{b} &lt; c_1$</pre>');
  });

  it('never emits JavaScript or widget views, falling back to text/plain or to nothing', () => {
    // Prepare
    const javascript = { 'application/javascript': 'window.__xss = 1', 'text/plain': '<Javascript object>' };
    const widget = { 'application/vnd.jupyter.widget-view+json': { model_id: 'abc' } };

    // Act
    const [javascriptHtml, widgetHtml] = [outputHtml(javascript), outputHtml(widget)];

    // Assess
    expect(javascriptHtml).toContain('&lt;Javascript object&gt;');
    expect(javascriptHtml).not.toContain('__xss');
    expect(widgetHtml).not.toContain('nb-output-display');
    expect(widgetHtml).not.toContain('abc');
  });

  it('refuses to look up a renderer for an unknown type and names the known ones', () => {
    // Prepare
    const lookup = () => mimeRenderer('application/javascript');

    // Act & Assess
    expect(lookup).toThrow(/no renderer for application\/javascript; known types: text\/html, image\/svg\+xml/);
  });
});

describe('ANSI colours', () => {
  it('turns colour, bold, italic and underline codes into classes and never into style attributes', () => {
    // Prepare
    const text =
      '\x1b[1;31mbold red\x1b[0m \x1b[3;4;42mmarked\x1b[0m \x1b[38;5;208morange\x1b[0m \x1b[48;2;10;10;200mrgb\x1b[0m';

    // Act
    const html = ansiToHtml(text);

    // Assess
    expect(html).toBe(
      '<span class="ansi-red-fg ansi-bold">bold red</span> ' +
        '<span class="ansi-green-bg ansi-italic ansi-underline">marked</span> ' +
        '<span class="ansi-yellow-fg">orange</span> <span class="ansi-blue-bg">rgb</span>',
    );
  });

  it('escapes the text between codes and keeps only the text of terminal hyperlinks', () => {
    // Prepare
    const text = '\x1b[32m<script>alert(1)</script>\x1b[0m \x1b]8;;javascript:alert(1)\x07docs\x1b]8;;\x07';

    // Act
    const html = ansiToHtml(text);

    // Assess
    expect(html).toBe('<span class="ansi-green-fg">&lt;script&gt;alert(1)&lt;/script&gt;</span> docs');
  });

  it('ships a stylesheet for the classes it emits', () => {
    // Prepare
    const html = render([codeCell('x', [{ output_type: 'stream', name: 'stdout', text: '\x1b[1;94mhi\x1b[0m' }])]);

    // Act
    const classes = [...body(html).matchAll(/class="(ansi-[^"]+)"/g)].flatMap((match) => match[1]!.split(' '));

    // Assess
    expect(classes).toEqual(['ansi-bright-blue-fg', 'ansi-bold']);
    for (const name of classes) expect(html).toContain(`.${name} {`);
  });
});

describe('markdown cells', () => {
  it('renders GitHub-flavoured markdown: tables, task lists, strikethrough and fenced code', () => {
    // Prepare
    const source = '| a | b |\n|:-|-:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~\n\n```python\nx = 1 < 2\n```\n';

    // Act
    const html = renderMarkdown(source);

    // Assess
    expect(html).toContain('<th align="left">a</th>');
    expect(html).toContain('<li><input type="checkbox" disabled checked /> done</li>');
    expect(html).toContain('<del>old</del>');
    expect(html).toContain('<pre><code class="language-python">x = 1 &lt; 2\n</code></pre>');
  });

  it('keeps underscores and asterisks inside $ and $$ math from becoming emphasis', () => {
    // Prepare
    const source = 'Let $a_1 * b_1$ and *see $x*y$ then* $$\\sum_{i} x_i * y_i$$';

    // Act
    const html = renderMarkdown(source);

    // Assess
    expect(html).toBe(
      '<p>Let <span class="nb-math">$a_1 * b_1$</span> and <em>see <span class="nb-math">$x*y$</span> then</em> ' +
        '<span class="nb-math nb-math-display">$$\\sum_{i} x_i * y_i$$</span></p>\n',
    );
  });

  it('keeps \\( \\) and \\[ \\] math literal, backslashes included', () => {
    // Prepare
    const source = 'Inline \\(x_1 + y_1\\) and display \\[\\alpha_i * \\beta_i\\]';

    // Act
    const html = renderMarkdown(source);

    // Assess
    expect(html).toContain('<span class="nb-math">\\(x_1 + y_1\\)</span>');
    expect(html).toContain('<span class="nb-math nb-math-display">\\[\\alpha_i * \\beta_i\\]</span>');
  });

  it('keeps a display math block whole even when its lines look like markdown', () => {
    // Prepare
    const source = 'Before\n$$\n- a_1\n# b_2\n$$\nAfter';

    // Act
    const html = renderMarkdown(source);

    // Assess
    expect(html).toBe('<p>Before</p>\n<div class="nb-math nb-math-display">$$\n- a_1\n# b_2\n$$</div>\n<p>After</p>\n');
  });

  it('escapes markup inside math and leaves dollars in code and escaped dollars alone', () => {
    // Prepare
    const source = '$<img src=x onerror=alert(1)>$ and `$HOME_dir` cost \\$5 or \\$6';

    // Act
    const html = renderMarkdown(source);

    // Assess
    expect(html).toBe(
      '<p><span class="nb-math">$&lt;img src=x onerror=alert(1)&gt;$</span> ' +
        'and <code>$HOME_dir</code> cost $5 or $6</p>\n',
    );
  });

  it('resolves PNG, JPEG and GIF attachments to data: images and nothing else', () => {
    // Prepare
    const attachments = {
      'plot.png': { 'image/png': PNG_1X1 },
      'my photo.jpg': { 'image/jpeg': [PNG_1X1] },
      'vector.svg': { 'image/svg+xml': '<svg onload="alert(1)"/>' },
      'evil.gif': { 'image/gif': 'R0lGOD" onerror="alert(1)' },
    };
    const source =
      '![p](attachment:plot.png) ![j](attachment:my%20photo.jpg) ![s](attachment:vector.svg) ' +
      '<img src="attachment:evil.gif"> ![m](attachment:missing.png)';

    // Act
    const html = body(render([markdownCell(source, attachments)]));

    // Assess
    expect(html).toContain(`<img alt="p" src="data:image/png;base64,${PNG_1X1}" />`);
    expect(html).toContain(`<img alt="j" src="data:image/jpeg;base64,${PNG_1X1}" />`);
    expect(html).toContain('<img alt="s" />');
    expect(html).toContain('<img />');
    expect(html).toContain('<img alt="m" />');
  });
});

describe('the sanitizer', () => {
  it.each([
    ['a script element', '<script>window.__xss=1</script>ok', 'ok'],
    ['an img onerror handler', '<img src=x onerror="window.__xss=1">', '<img />'],
    ['a javascript: link', '<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['an entity-obfuscated javascript: link', '<a href="jav&#x61;script:alert(1)">x</a>', '<a>x</a>'],
    ['a tab inside the scheme', '<a href="java&#x09;script:alert(1)">x</a>', '<a>x</a>'],
    ['a vbscript: link', '<a href="vbscript:msgbox(1)">x</a>', '<a>x</a>'],
    ['a data: link', '<a href="data:text/html,<script>alert(1)</script>">x</a>', '<a>x</a>'],
    ['a relative link that a <base> could redirect', '<a href="next.html">x</a>', '<a>x</a>'],
    ['an inline svg with onload', '<svg onload="alert(1)"><circle r="1"/></svg>ok', 'ok'],
    ['an iframe with srcdoc', '<iframe srcdoc="<script>alert(1)</script>">inner</iframe>ok', 'ok'],
    [
      'an object and an embed',
      '<object data="javascript:alert(1)">inner</object><embed src="javascript:alert(1)">ok',
      'ok',
    ],
    ['a meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">ok', 'ok'],
    ['a base element', '<base href="javascript:alert(1)//">ok', 'ok'],
    [
      'a form, a button with formaction and a text input',
      '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">go</button>' +
        '<input onfocus="alert(1)" autofocus></form>',
      'go',
    ],
    [
      'a style attribute with expression and url(javascript:)',
      '<p style="width:expression(alert(1));background:url(javascript:alert(1))">x</p>',
      '<p>x</p>',
    ],
    ['a style element', '<style>p { background: url("javascript:alert(1)") }</style>ok', 'ok'],
    ['a <math> mutation-XSS payload', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', ''],
    [
      'a <noscript> mutation-XSS payload',
      '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>ok',
      'ok',
    ],
    ['a template payload', '<template><img src=x onerror=alert(1)><script>alert(1)</script></template>ok', 'ok'],
    ['id and name attributes that could clobber window properties', '<a id="__xss" name="__xss">x</a>', '<a>x</a>'],
    [
      'an image loaded from the network',
      '<img src="https://tracker.example/p.gif" srcset="https://x/1.png 1x">',
      '<img />',
    ],
    ['an image whose data: URI is not an image', '<img src="data:text/html;base64,PHNjcmlwdD4=">', '<img />'],
  ])('drops %s', (_vector, input, expected) => {
    // Prepare
    const html = input;

    // Act
    const clean = sanitizeUntrustedHtml(html);

    // Assess
    expect(clean).toBe(expected);
  });

  it('keeps web links, opening them outside the sandboxed frame without a referrer', () => {
    // Prepare
    const html = '<a href="https://example.org/a?b=1&c=2" title="t">site</a> <a href="mailto:me@example.org">mail</a>';

    // Act
    const clean = sanitizeUntrustedHtml(html);

    // Assess
    expect(clean).toBe(
      '<a title="t" href="https://example.org/a?b=1&amp;c=2" ' +
        'target="_blank" rel="noopener noreferrer nofollow">site</a> ' +
        '<a href="mailto:me@example.org" target="_blank" rel="noopener noreferrer nofollow">mail</a>',
    );
  });

  it('keeps tables, classes and base64 data: images such as a pandas frame with an embedded plot', () => {
    // Prepare
    const html =
      '<table class="dataframe"><tr><th colspan="2">x</th></tr></table>' +
      `<img src="data:image/png;base64,${PNG_1X1}" width="10">`;

    // Act
    const clean = sanitizeUntrustedHtml(html);

    // Assess
    expect(clean).toBe(
      '<table class="dataframe"><tr><th colspan="2">x</th></tr></table>' +
        `<img width="10" src="data:image/png;base64,${PNG_1X1}" />`,
    );
  });

  it('drops javascript: links written as markdown, plain, reference-style or entity-obfuscated', () => {
    // Prepare
    const source =
      '[a](javascript:alert(1)) [b](jav&#x61;script:alert(1)) ![c](javascript:alert(1)) [d][r]\n\n' +
      '[r]: javascript:alert(1)';

    // Act
    const html = renderMarkdown(source);

    // Assess
    expect(html).toBe('<p><a>a</a> <a>b</a> <img alt="c" /> <a>d</a></p>\n');
  });

  it('lets raw HTML in markdown through only as far as the sanitizer allows', () => {
    // Prepare
    const source =
      'Text with <kbd>Ctrl</kbd> and <span onclick="alert(1)" class="note">note</span>\n\n<script>alert(1)</script>\n';

    // Act
    const html = renderMarkdown(source);

    // Assess
    expect(html.trim()).toBe('<p>Text with <kbd>Ctrl</kbd> and <span class="note">note</span></p>');
  });
});

describe('base64', () => {
  it.each(['', 'a', 'ab', 'abc', 'température', '✓ 🚀 日本語', '<svg>\u0000</svg>'])(
    'encodes %j as the base64 of its UTF-8 bytes',
    (text) => {
      // Prepare
      const expected = Buffer.from(text, 'utf8').toString('base64');

      // Act
      const encoded = encodeBase64Utf8(text);

      // Assess
      expect(encoded).toBe(expected);
    },
  );

  it('accepts base64 with nbformat line breaks and rejects anything that could leave a data: URI', () => {
    // Prepare
    const payloads = [`${PNG_1X1.slice(0, 8)}\n${PNG_1X1.slice(8)}\n`, 'abc"def', 'YWJj ZA==', 'YWJ', 'YQ==YQ==', ''];

    // Act
    const cleaned = payloads.map(cleanBase64);

    // Assess
    expect(cleaned).toEqual([PNG_1X1, undefined, undefined, undefined, undefined, undefined]);
  });
});
