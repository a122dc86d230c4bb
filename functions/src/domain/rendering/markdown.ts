import { Marked, Parser, type MarkedOptions } from 'marked';
import { MarkdownLexer } from './markdown-lexer.ts';
import { MATH_EXTENSION, maskMath } from './math.ts';
import { plainTextFallback, RenderLimitExceeded, WorkMeter, type RenderBudget } from './render-limits.ts';
import { sanitizeUntrustedHtml, type AttachmentResolver } from './sanitize.ts';

/** How one piece of markdown is rendered: where its attachments point and the page's budget it draws on. */
export interface MarkdownOptions {
  resolveAttachment?: AttachmentResolver;
  budget?: RenderBudget;
  /** Counts the work of this piece; by default a fresh meter allowing WORK_PER_CHAR per character. */
  meter?: WorkMeter;
}

// Work allowed per character of a cell: lexing touches each character a few times per nesting level (a list in
// a quote is lexed three times), and scanning for math a few more. Ordinary notebooks stay under a quarter of it.
const WORK_PER_CHAR = 24;
const WORK_BASE = 64 * 1024;

// One configuration for the process: the extensions hold no per-document state.
const markdown = new Marked({ gfm: true, breaks: false, async: false }, MATH_EXTENSION);

const toHtml = (source: string, meter: WorkMeter): string => {
  // Fresh options and a fresh tokenizer per document: MarkdownLexer bounds the tokenizer's rules and wraps some of
  // its methods for this document only.
  const options = {
    ...markdown.defaults,
    tokenizer: null,
    hooks: { emStrongMask: maskMath },
  } as unknown as MarkedOptions;
  const tokens = new MarkdownLexer(options, meter).lex(source);
  return Parser.parse(tokens, options) as string;
};

/**
 * Renders markdown (GFM, math kept literal) to sanitized HTML; raw HTML in it passes only through the sanitizer.
 * Work is bounded by the cell's size: a cell that would cost more, nests too deep, or no longer fits the notebook's
 * markdown allowance is shown as escaped text with a note saying why.
 */
export const renderMarkdown = (source: string, options: MarkdownOptions = {}): string => {
  if (options.budget && !options.budget.takeMarkdown(source.length)) {
    const limit = Math.round(options.budget.limits.markdownChars / 1024);
    return plainTextFallback(source, `the notebook has more than ${limit} K characters of markdown`);
  }
  const meter = options.meter ?? new WorkMeter(WORK_PER_CHAR * source.length + WORK_BASE);
  try {
    const html = toHtml(source, meter);
    const resolveAttachment = options.resolveAttachment;
    return sanitizeUntrustedHtml(html, resolveAttachment ? { resolveAttachment } : {});
  } catch (error) {
    if (error instanceof RenderLimitExceeded) return plainTextFallback(source, error.reason);
    // marked's regular expressions overflow V8's backtracking stack on some very long constructs.
    if (error instanceof RangeError) return plainTextFallback(source, 'it is too large for the markdown parser');
    throw error;
  }
};
