import { Tokenizer, type MarkedExtension, type TokenizerExtension, type RendererExtension, type Tokens } from 'marked';
import { escapeHtml } from './html-text.ts';

// Delimiters MathJax reads in Jupyter, longest first so $$ is never taken for two empty $ spans.
// Sticky, so the scanner can test them at any offset without slicing the source.
const INLINE_MATH: ReadonlyArray<{ pattern: RegExp; display: boolean }> = [
  { pattern: /\$\$(?:\\[\s\S]|[^\\$]|\$(?!\$))+?\$\$/y, display: true },
  { pattern: /\$(?:\\[\s\S]|[^\\$])+?\$/y, display: false },
  { pattern: /\\\[[\s\S]+?\\\]/y, display: true },
  { pattern: /\\\([\s\S]+?\\\)/y, display: false },
];
const CODE_SPAN = /(`+)(?:[^`]|[^`][\s\S]*?[^`])\1(?!`)/y;
const DISPLAY_BODY = String.raw`\$\$(?:\\[\s\S]|[^\\$]|\$(?!\$))+?\$\$|\\\[(?:[^\\]|\\[^\]])+?\\\]`;
const BLOCK_MATH = new RegExp(String.raw`^ {0,3}(${DISPLAY_BODY}) *(?:\n+|$)`);
const BLOCK_MATH_START = new RegExp(String.raw`(?:^|\n) {0,3}(?:${DISPLAY_BODY}) *(?:\n|$)`);

const matchAt = (pattern: RegExp, src: string, at: number): string | undefined => {
  pattern.lastIndex = at;
  return pattern.exec(src)?.[0];
};

/** Finds the math span starting exactly at `at`, if any, and whether it is display math. */
export const mathAt = (src: string, at = 0): { raw: string; display: boolean } | undefined => {
  for (const { pattern, display } of INLINE_MATH) {
    const raw = matchAt(pattern, src, at);
    if (raw) return { raw, display };
  }
  return undefined;
};

/** Lists the [start, end) ranges of math in inline markdown, skipping code spans and escapes as marked does. */
export const mathRanges = (src: string): Array<[number, number]> => {
  const ranges: Array<[number, number]> = [];
  let at = 0;
  while (at < src.length) {
    const char = src[at];
    const code = char === '`' ? matchAt(CODE_SPAN, src, at) : undefined;
    const math = char === '$' || char === '\\' ? mathAt(src, at) : undefined;
    if (math) ranges.push([at, at + math.raw.length]);
    at += code?.length ?? math?.raw.length ?? (char === '\\' ? 2 : 1);
  }
  return ranges;
};

// marked looks for emphasis closers in a masked copy of the paragraph; hiding math there is what
// keeps `*a $x*y$` from closing inside the formula. `src` is the unread tail of `masked`.
const maskMath = (src: string, masked: string): string => {
  const offset = masked.length - src.length;
  let out = masked;
  for (const [start, end] of mathRanges(src)) {
    out = out.slice(0, offset + start) + '+'.repeat(end - start) + out.slice(offset + end);
  }
  return out;
};

const mathHtml = (raw: string, display: boolean, tag: 'span' | 'div'): string =>
  `<${tag} class="nb-math${display ? ' nb-math-display' : ''}">${escapeHtml(raw)}</${tag}>`;

const inlineMath: TokenizerExtension & RendererExtension = {
  name: 'inlineMath',
  level: 'inline',
  start: (src) => src.match(/\$|\\[([]/)?.index,
  tokenizer: (src) => {
    const math = mathAt(src);
    return math ? { type: 'inlineMath', raw: math.raw, display: math.display } : undefined;
  },
  renderer: (token) => mathHtml(token.raw, (token as Tokens.Generic).display === true, 'span'),
};

// Display math that starts a line is a block of its own, so lines inside it that look like
// lists or headings are never read as markdown.
const blockMath: TokenizerExtension & RendererExtension = {
  name: 'blockMath',
  level: 'block',
  start: (src) => {
    const match = BLOCK_MATH_START.exec(src);
    return match ? match.index + (match[0].startsWith('\n') ? 1 : 0) : undefined;
  },
  tokenizer: (src) => {
    const match = BLOCK_MATH.exec(src);
    return match ? { type: 'blockMath', raw: match[0], math: match[1]! } : undefined;
  },
  renderer: (token) => `${mathHtml(String((token as Tokens.Generic).math), true, 'div')}\n`,
};

/** A marked extension that keeps $…$, $$…$$, \(…\) and \[…\] as literal, escaped text, untouched by markdown. */
export const MATH_EXTENSION: MarkedExtension = {
  extensions: [blockMath, inlineMath],
  tokenizer: {
    emStrong(src, masked, prevChar) {
      return Tokenizer.prototype.emStrong.call(this, src, maskMath(src, masked), prevChar);
    },
    del(src, masked, prevChar) {
      return Tokenizer.prototype.del.call(this, src, maskMath(src, masked), prevChar);
    },
  },
};
