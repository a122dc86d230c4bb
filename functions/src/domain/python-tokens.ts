/** What one lexical token of Python source is; `newline` ends a logical line (never inside brackets). */
export type TokenKind = 'name' | 'number' | 'string' | 'op' | 'comment' | 'newline' | 'error';

/** One token: exact text, offsets into the source, 1-based line and 0-based column; errors carry a message. */
export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  line: number;
  column: number;
  message?: string;
}

interface Lexer {
  src: string;
  pos: number;
  line: number;
  lineStart: number;
  depth: number;
  tokens: Token[];
}

// Longest first, so `**=` wins over `**` and `*`.
const OPERATORS = [
  '**=',
  '//=',
  '>>=',
  '<<=',
  '...',
  '->',
  ':=',
  '==',
  '!=',
  '<=',
  '>=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
  '**',
  '//',
  '<<',
  '>>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '@',
  '&',
  '|',
  '^',
  '~',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '.',
  ';',
  '=',
];
const OPENERS = '([{';
const CLOSERS = ')]}';
const STRING_PREFIXES = new Set(['', 'r', 'u', 'b', 'f', 't', 'br', 'rb', 'fr', 'rf', 'tr', 'rt']);

const NAME = /[\p{ID_Start}_][\p{ID_Continue}]*/uy;
const STRING_START = /([a-zA-Z]{0,2})("""|'''|"|')/y;
const NUMBER_FORMS = [
  /0[xX](?:_?[0-9a-fA-F])+/y,
  /0[oO](?:_?[0-7])+/y,
  /0[bB](?:_?[01])+/y,
  /(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?/y,
];
const NUMBER_TAIL = /[\p{ID_Continue}.]+/uy;

const matchAt = (re: RegExp, src: string, pos: number): RegExpExecArray | null => {
  re.lastIndex = pos;
  return re.exec(src);
};

/** Moves the cursor to `end`, counting the line breaks it passes. */
const advance = (lx: Lexer, end: number): void => {
  const breaks = /\r\n?|\n/g;
  const text = lx.src.slice(lx.pos, end);
  for (let m = breaks.exec(text); m; m = breaks.exec(text)) {
    lx.line += 1;
    lx.lineStart = lx.pos + m.index + m[0].length;
  }
  lx.pos = end;
};

/** Adds a token from the cursor to `end` and moves past it. */
const push = (lx: Lexer, kind: TokenKind, end: number, message?: string): void => {
  const text = lx.src.slice(lx.pos, end);
  lx.tokens.push({
    kind,
    text,
    start: lx.pos,
    end,
    line: lx.line,
    column: lx.pos - lx.lineStart,
    ...(message ? { message } : {}),
  });
  advance(lx, end);
};

const lineBreakAt = (src: string, pos: number): number =>
  src.startsWith('\r\n', pos) ? 2 : src[pos] === '\n' || src[pos] === '\r' ? 1 : 0;

const endOfLine = (src: string, pos: number): number => {
  const m = matchAt(/[^\r\n]*/y, src, pos);
  return pos + (m ? m[0].length : 0);
};

/** Finds where a string body ends (just past its closing quote), or -1 when it is never closed. */
const closingQuote = (src: string, from: number, quote: string): number => {
  for (let pos = from; pos < src.length; pos += 1) {
    if (src[pos] === '\\') {
      pos += Math.max(lineBreakAt(src, pos + 1), 1);
    } else if (src.startsWith(quote, pos)) {
      return pos + quote.length;
    } else if (quote.length === 1 && lineBreakAt(src, pos)) {
      return -1;
    }
  }
  return -1;
};

const lexString = (lx: Lexer): boolean => {
  const m = matchAt(STRING_START, lx.src, lx.pos);
  if (!m || !STRING_PREFIXES.has((m[1] ?? '').toLowerCase())) return false;
  const quote = m[2] ?? '"';
  const end = closingQuote(lx.src, lx.pos + m[0].length, quote);
  if (end >= 0) {
    push(lx, 'string', end);
  } else if (quote.length === 3) {
    push(lx, 'error', lx.src.length, `unterminated triple-quoted string: it opens with ${quote} but never closes`);
  } else {
    push(
      lx,
      'error',
      endOfLine(lx.src, lx.pos),
      `unterminated string: a string that opens with ${quote} must close with ${quote} on the same line`,
    );
  }
  return true;
};

const lexNumber = (lx: Lexer): boolean => {
  const c = lx.src[lx.pos] ?? '';
  if (!/\d/.test(c) && !(c === '.' && /\d/.test(lx.src[lx.pos + 1] ?? ''))) return false;
  const m = NUMBER_FORMS.map((re) => matchAt(re, lx.src, lx.pos)).find((found) => found !== null);
  const end = lx.pos + (m ? m[0].length : 0);
  const tail = matchAt(NUMBER_TAIL, lx.src, end);
  if (tail) {
    push(lx, 'error', end + tail[0].length, `invalid number literal \`${lx.src.slice(lx.pos, end + tail[0].length)}\``);
  } else {
    push(lx, 'number', end);
  }
  return true;
};

const lexOperator = (lx: Lexer): boolean => {
  const op = OPERATORS.find((candidate) => lx.src.startsWith(candidate, lx.pos));
  if (!op) return false;
  if (OPENERS.includes(op)) lx.depth += 1;
  if (CLOSERS.includes(op)) lx.depth = Math.max(0, lx.depth - 1);
  push(lx, 'op', lx.pos + op.length);
  return true;
};

const lexLayout = (lx: Lexer): boolean => {
  const c = lx.src[lx.pos] ?? '';
  const lineBreak = lineBreakAt(lx.src, lx.pos);
  if (c === ' ' || c === '\t' || c === '\f') {
    lx.pos += 1;
  } else if (lineBreak) {
    // Inside brackets a line break is only whitespace; outside it ends the logical line.
    if (lx.depth === 0) push(lx, 'newline', lx.pos + lineBreak);
    else advance(lx, lx.pos + lineBreak);
  } else if (c === '#') {
    push(lx, 'comment', endOfLine(lx.src, lx.pos));
  } else if (c === '\\' && lineBreakAt(lx.src, lx.pos + 1)) {
    advance(lx, lx.pos + 1 + lineBreakAt(lx.src, lx.pos + 1));
  } else {
    return false;
  }
  return true;
};

const lexName = (lx: Lexer): boolean => {
  const m = matchAt(NAME, lx.src, lx.pos);
  if (!m) return false;
  push(lx, 'name', lx.pos + m[0].length);
  return true;
};

/** Splits Python source into tokens; never throws: what it cannot read becomes an `error` token and lexing goes on. */
export const tokenizePython = (src: string): Token[] => {
  const lx: Lexer = { src, pos: 0, line: 1, lineStart: 0, depth: 0, tokens: [] };
  while (lx.pos < src.length) {
    if (lexLayout(lx) || lexString(lx) || lexName(lx) || lexNumber(lx) || lexOperator(lx)) continue;
    const char = String.fromCodePoint(src.codePointAt(lx.pos) ?? 0);
    const hint = char === '\\' ? ' (a line continuation must be the last character of its line)' : '';
    push(lx, 'error', lx.pos + char.length, `unexpected character \`${char}\`${hint}`);
  }
  return lx.tokens;
};
