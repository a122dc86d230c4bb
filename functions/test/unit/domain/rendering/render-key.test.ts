import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNotebook, type NotebookJson } from '../../../../src/domain/nbformat.ts';
import { renderNotebookHtml } from '../../../../src/domain/rendering/notebook-html.ts';
import { RENDERER_VERSION, renderKey } from '../../../../src/domain/rendering/render-key.ts';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

const fixture = (name: string): NotebookJson =>
  parseNotebook(readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), 'utf8')).notebook;

// Every path of the renderer in one notebook: markdown with math and a table, ANSI, streams, errors, a cut output.
const SAMPLE: NotebookJson = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: [
    {
      cell_type: 'markdown',
      metadata: {},
      source: '# T\n\n*a $x_1*y$* and \\(z\\)\n\n$$\n- b\n$$\n\n| a | b |\n|-|-|\n| 1 | 2 |\n',
    },
    {
      cell_type: 'code',
      metadata: {},
      source: 'x',
      execution_count: 1,
      outputs: [
        { output_type: 'stream', name: 'stdout', text: `10%\r100%\n\x1b[1;31mred\x1b[0m ${'y'.repeat(2000)}` },
        { output_type: 'error', ename: 'E', evalue: 'v', traceback: ['\x1b[32mtb\x1b[0m'] },
        {
          output_type: 'execute_result',
          execution_count: 1,
          metadata: {},
          data: { 'text/html': '<b>bold</b><script>x</script>' },
        },
      ],
    },
  ],
};

describe('renderKey', () => {
  it('names the renderer version, the source and the options, and changes when any of them does', () => {
    // Prepare
    const options = { title: 'Sales · v1' };

    // Act
    const keys = [
      renderKey({ kind: 'version', sha256: SHA_A }, options),
      renderKey({ kind: 'version', sha256: SHA_B }, options),
      renderKey({ kind: 'version', sha256: SHA_A }, { title: 'Revenue · v1' }),
      renderKey({ kind: 'version', sha256: SHA_A }, { ...options, maxOutputBytes: 1024 }),
      renderKey({ kind: 'run-output', runId: 'run-0000000000000001', tag: '"etag-1"' }, options),
      renderKey({ kind: 'run-output', runId: 'run-0000000000000001', tag: '"etag-2"' }, options),
    ];

    // Assess
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys[0]).toMatch(new RegExp(`^v${RENDERER_VERSION}/versions/${SHA_A}/[0-9a-f]{64}\\.html$`));
    expect(keys[4]).toMatch(new RegExp(`^v${RENDERER_VERSION}/runs/run-0000000000000001/[0-9a-f]{64}\\.html$`));
    expect(
      renderKey({ kind: 'version', sha256: SHA_A }, { title: 'Sales · v1', maxOutputBytes: 10 * 1024 * 1024 }),
    ).toBe(keys[0]);
  });

  it('refuses a source that could put anything else into a storage key', () => {
    // Act
    const attempts = [
      () => renderKey({ kind: 'version', sha256: '../../bodies/x' }, { title: 't' }),
      () => renderKey({ kind: 'run-output', runId: '../x', tag: 't' }, { title: 't' }),
    ];

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow();
  });

  it('holds the renderer version to the pages it makes: a change to them needs a new version', () => {
    // Prepare
    const notebooks = [fixture('xss-corpus.ipynb'), fixture('parameters-messy.ipynb'), SAMPLE];

    // Act
    const pages = notebooks.map((notebook, i) =>
      renderNotebookHtml(notebook, { title: `page ${i}`, maxOutputBytes: 1000 }),
    );
    const fingerprint = createHash('sha256').update(pages.join('\n')).digest('hex');

    // Assess: when this fails, bump RENDERER_VERSION and record the new fingerprint with it
    expect({ version: RENDERER_VERSION, fingerprint }).toEqual({
      version: '2',
      fingerprint: '5fdee97578145effd2fe36b2fe974cc334cb74e70bab60227d74b3d19456e3c3',
    });
  });
});
