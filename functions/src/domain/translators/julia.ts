import type { TypedValue } from '../typed-values.ts';
import { floatText, hex, isPrintableAscii, isVisible } from './text.ts';
import { defineTranslator } from './translator.ts';

const KEYWORDS = new Set(
  (
    'baremodule begin break catch const continue do else elseif end export false finally for function ' +
    'global if import let local macro module quote return struct true try using while in isa where'
  ).split(' '),
);
// Conservative: Julia allows more (primes, `!`, many symbols), but `a! = 1` next to `a != 1` is not worth the risk.
const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const INT64_MAX = 2n ** 63n - 1n;
// `$` starts interpolation in a Julia string, so it is escaped with the rest.
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  $: '\\$',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A Julia identifier in NFC form (Julia normalizes names, so another form would assign a different-looking name). */
const isIdentifier = (name: string): boolean =>
  IDENTIFIER.test(name) && name === name.normalize('NFC') && !KEYWORDS.has(name);

const escapeChar = (char: string): string => {
  if (SIMPLE_ESCAPES[char] !== undefined) return SIMPLE_ESCAPES[char];
  if (isPrintableAscii(char) || isVisible(char)) return char;
  // Full-width \u and \U escapes: Julia reads up to 4 and 8 hex digits, so a following digit is never swallowed.
  const code = char.codePointAt(0) ?? 0;
  return code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
};

/** A Julia string literal that reads back to exactly `text`. */
export const juliaString = (text: string): string => `"${Array.from(text, escapeChar).join('')}"`;

const floatLiteral = (value: number): string => {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Inf';
  if (value === -Infinity) return '-Inf';
  return floatText(value);
};

const literal = (value: TypedValue): string => {
  // Within ±(2^63 − 1) an Int64 literal; beyond it a BigInt, as unbounded as Python's int.
  if (value.type === 'int')
    return value.value <= INT64_MAX && value.value >= -INT64_MAX ? value.value.toString() : `big"${value.value}"`;
  if (value.type === 'float') return floatLiteral(value.value);
  if (value.type === 'str') return juliaString(value.value);
  if (value.type === 'bool') return value.value ? 'true' : 'false';
  if (value.type === 'None') return 'nothing';
  // Any[...] and Dict{String,Any}: a plain [1, 2.5] would promote the 1 to 1.0.
  if (value.type === 'list') return `Any[${value.items.map(literal).join(', ')}]`;
  const entries = value.entries.map(([key, item]) => `${juliaString(key)} => ${literal(item)}`);
  return `Dict{String,Any}(${entries.join(', ')})`;
};

/** Julia: Int64 or BigInt, Float64 with NaN/Inf, `nothing`, `Any[...]` and `Dict{String,Any}(...)`. */
export const JULIA = defineTranslator({
  language: 'julia',
  isIdentifier,
  literal,
  statement: (name, text) => `${name} = ${text}`,
  commentPrefix: '#',
});
