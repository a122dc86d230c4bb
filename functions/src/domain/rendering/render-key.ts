import { createHash } from 'node:crypto';
import type { RenderNotebookOptions } from './notebook-html.ts';
import { DEFAULT_RENDER_LIMITS } from './render-limits.ts';

/**
 * The renderer's version, part of every cache key: bump it whenever the page made from the same notebook changes
 * (rendering code, styles, sanitizer rules, or an upgrade of marked, sanitize-html or ansi_up), so pages rendered
 * before are never served again. The render-key test holds the output of the fixtures to it.
 */
export const RENDERER_VERSION = '2';

/** What a page was rendered from: a version's body (by its sha256) or a run's output (by its storage tag). */
export type RenderSource = { kind: 'version'; sha256: string } | { kind: 'run-output'; runId: string; tag: string };

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

// Everything besides the notebook that shapes the page, with defaults filled in: equal pages share a key.
const optionsDigest = (options: RenderNotebookOptions): string =>
  digest(
    JSON.stringify([
      options.title,
      options.maxOutputBytes ?? DEFAULT_RENDER_LIMITS.maxOutputBytes,
      options.markdownChars ?? DEFAULT_RENDER_LIMITS.markdownChars,
    ]),
  );

const SAFE_SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The cache key of a page: the renderer version, where it came from, and a digest of the options it was rendered
 * with. A version's key starts with its sha256; a run output's with the run, its tag (S3's ETag) folded into the
 * digest, so a tag's quotes never reach a key and a changed output never finds the old page.
 */
export const renderKey = (source: RenderSource, options: RenderNotebookOptions): string => {
  if (source.kind === 'version') {
    if (!/^[0-9a-f]{64}$/.test(source.sha256)) throw new Error(`not a sha256: ${source.sha256}`);
    return `v${RENDERER_VERSION}/versions/${source.sha256}/${optionsDigest(options)}.html`;
  }
  if (!SAFE_SEGMENT.test(source.runId)) throw new Error(`not a run id: ${source.runId}`);
  return `v${RENDERER_VERSION}/runs/${source.runId}/${digest(`${source.tag}\n${optionsDigest(options)}`)}.html`;
};
