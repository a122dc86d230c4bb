import type { TypedValue } from '../typed-values.ts';
import { hex, floatText, isPrintableAscii, isVisible } from './text.ts';
import { defineTranslator } from './translator.ts';

// Hard keywords only: soft keywords (match, case, type, _) are ordinary names when assigned.
// `__debug__` is not a keyword but Python refuses to assign it all the same.
const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from ' +
    'global if import in is lambda nonlocal not or pass raise return try while with yield __debug__'
  ).split(' '),
);
const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
// Python 3.11+ refuses to parse decimal int literals longer than this (int_max_str_digits); hex has no limit.
const MAX_DECIMAL_DIGITS = 4300;

// Unicode 15.1 made ZWJ and ZWNJ identifier characters; Pythons before 3.13 refuse them, and invisible names mislead
// anyway.
const INVISIBLE = /\p{Cf}/u;

/** A Python identifier as `str.isidentifier()` sees it, already in NFKC form (else Python would silently rename it). */
const isIdentifier = (name: string): boolean =>
  IDENTIFIER.test(name) && !INVISIBLE.test(name) && name === name.normalize('NFKC') && !KEYWORDS.has(name);

const escapeChar = (char: string, quote: string): string => {
  const code = char.codePointAt(0) ?? 0;
  if (char === quote) return `\\${char}`;
  if (SIMPLE_ESCAPES[char] !== undefined) return SIMPLE_ESCAPES[char];
  if (isPrintableAscii(char) || isVisible(char)) return char;
  // One escape per code point, so an emoji is \U0001f600, never a pair of surrogates.
  return code < 0x100 ? `\\x${hex(code, 2)}` : code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
};

/** A str literal that reads back to exactly `text`, quoted the way repr() would quote it. */
export const pythonString = (text: string): string => {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  return `${quote}${Array.from(text, (char) => escapeChar(char, quote)).join('')}${quote}`;
};

const intLiteral = (value: bigint): string => {
  const decimal = value.toString();
  if (decimal.length <= MAX_DECIMAL_DIGITS) return decimal;
  return `${value < 0n ? '-' : ''}0x${(value < 0n ? -value : value).toString(16)}`;
};

const floatLiteral = (value: number): string => {
  if (Number.isNaN(value)) return "float('nan')";
  if (value === Infinity) return "float('inf')";
  if (value === -Infinity) return "float('-inf')";
  return floatText(value);
};

const literal = (value: TypedValue): string => {
  if (value.type === 'int') return intLiteral(value.value);
  if (value.type === 'float') return floatLiteral(value.value);
  if (value.type === 'str') return pythonString(value.value);
  if (value.type === 'bool') return value.value ? 'True' : 'False';
  if (value.type === 'None') return 'None';
  if (value.type === 'list') return `[${value.items.map(literal).join(', ')}]`;
  return `{${value.entries.map(([key, item]) => `${pythonString(key)}: ${literal(item)}`).join(', ')}}`;
};

/** Python: repr-style literals that read back exactly (unbounded ints, float('nan'), -0.0, escaped strings). */
export const PYTHON = defineTranslator({
  language: 'python',
  isIdentifier,
  literal,
  statement: (name, text) => `${name} = ${text}`,
  commentPrefix: '#',
});
