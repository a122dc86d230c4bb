import { Marked } from 'marked';
import { MATH_EXTENSION } from './math.ts';
import { sanitizeUntrustedHtml, type AttachmentResolver } from './sanitize.ts';

// One parser for the process: the extensions hold no per-document state.
const markdown = new Marked({ gfm: true, breaks: false, async: false }, MATH_EXTENSION);

/** Renders markdown (GFM, math kept literal) to sanitized HTML; raw HTML in it passes only through the sanitizer. */
export const renderMarkdown = (source: string, resolveAttachment?: AttachmentResolver): string =>
  sanitizeUntrustedHtml(markdown.parse(source, { async: false }), resolveAttachment ? { resolveAttachment } : {});
