import type { MarkedExtension, RendererExtension, TokenizerExtension, TokenizerThis, Tokens } from 'marked';
import { escapeHtml } from './html-text.ts';
import { MarkdownLexer } from './markdown-lexer.ts';
import { MathScan } from './math-scan.ts';
import { WorkMeter } from './render-limits.ts';

// The extension answers from MarkdownLexer's scan of the string being lexed; with marked's own lexer (which the
// renderer never uses) it falls back to a scan of the tail it is given.
const mathOf = (context: TokenizerThis, src: string, level: 'block' | 'inline'): { scan: MathScan; at: number } => {
  const lexer = context.lexer;
  if (lexer instanceof MarkdownLexer) return level === 'block' ? lexer.blockMath(src) : lexer.inlineMath(src);
  return { scan: new MathScan(src, new WorkMeter()), at: 0 };
};

const mathHtml = (raw: string, display: boolean, tag: 'span' | 'div'): string =>
  `<${tag} class="nb-math${display ? ' nb-math-display' : ''}">${escapeHtml(raw)}</${tag}>`;

// Delimiters MathJax reads in Jupyter: $…$, $$…$$, \(…\) and \[…\] (see MathScan for exactly where they close).
const inlineMath: TokenizerExtension & RendererExtension = {
  name: 'inlineMath',
  level: 'inline',
  start(src) {
    const { scan, at } = mathOf(this, src, 'inline');
    const next = scan.nextCandidate(at);
    return next < 0 ? undefined : next - at;
  },
  tokenizer(src) {
    const { scan, at } = mathOf(this, src, 'inline');
    const math = scan.inlineAt(at);
    return math ? { type: 'inlineMath', raw: src.slice(0, math.end - at), display: math.display } : undefined;
  },
  renderer: (token) => mathHtml(token.raw, (token as Tokens.Generic).display === true, 'span'),
};

// Display math that starts a line is a block of its own, so lines inside it that look like
// lists or headings are never read as markdown.
const blockMath: TokenizerExtension & RendererExtension = {
  name: 'blockMath',
  level: 'block',
  start(src) {
    const { scan, at } = mathOf(this, src, 'block');
    const next = scan.nextBlockStart(at);
    return next < 0 ? undefined : next - at;
  },
  tokenizer(src) {
    const { scan, at } = mathOf(this, src, 'block');
    const block = scan.blockAt(at);
    if (!block) return undefined;
    const math = scan.src.slice(block.mathStart, block.mathEnd);
    return { type: 'blockMath', raw: src.slice(0, block.rawEnd - at), math };
  },
  renderer: (token) => `${mathHtml(String((token as Tokens.Generic).math), true, 'div')}\n`,
};

/**
 * Hides inline math from marked's emphasis search (`*a $x*y$` must not close inside the formula): the ranges of
 * the run being lexed, found once per run, become `+` in the masked copy marked searches.
 */
export function maskMath(this: { lexer?: unknown }, masked: string): string {
  const lexer = this.lexer;
  if (!(lexer instanceof MarkdownLexer)) return masked;
  const scan = lexer.currentInlineMath();
  if (!scan || scan.src.length !== masked.length) return masked;
  const ranges = scan.ranges();
  if (ranges.length === 0) return masked;
  const parts: string[] = [];
  let last = 0;
  for (const [start, end] of ranges) {
    parts.push(masked.slice(last, start), '+'.repeat(end - start));
    last = end;
  }
  parts.push(masked.slice(last));
  return parts.join('');
}

/** A marked extension keeping $…$, $$…$$, \(…\) and \[…\] as literal, escaped text, untouched by markdown. */
export const MATH_EXTENSION: MarkedExtension = { extensions: [blockMath, inlineMath] };
