import type { TypedValue } from '../typed-values.ts';
import { floatText, hex, isPrintableAscii, isVisible } from './text.ts';
import { defineTranslator } from './translator.ts';

const KEYWORDS = new Set(
  (
    'abstract case catch class def do else extends false final finally for forSome if implicit import lazy ' +
    'macro match new null object override package private protected return sealed super this throw trait try ' +
    'true type val var while with yield enum export given then _'
  ).split(' '),
);
// Alphanumeric identifiers only: no `$` (the compiler's), no operator suffixes, no backticks.
const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const INT_MAX = 2n ** 31n - 1n;
const LONG_MAX = 2n ** 63n - 1n;
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

const escapeChar = (char: string): string => {
  if (SIMPLE_ESCAPES[char] !== undefined) return SIMPLE_ESCAPES[char];
  if (isPrintableAscii(char) || isVisible(char)) return char;
  // \uXXXX per UTF-16 unit, as Java strings hold text. Quote, backslash and line breaks never take this form, so
  // Scala 2.12, which expands \u escapes before it reads the literal, still reads the same string.
  return Array.from({ length: char.length }, (_, i) => `\\u${hex(char.charCodeAt(i), 4)}`).join('');
};

/** A Scala string literal that reads back to exactly `text`. */
export const scalaString = (text: string): string => `"${Array.from(text, escapeChar).join('')}"`;

const intLiteral = (value: bigint): string => {
  // The minimum values are spelled by name: `-2147483648` is a negation of a literal that does not fit.
  if (value === -INT_MAX - 1n) return 'Int.MinValue';
  if (value === -LONG_MAX - 1n) return 'Long.MinValue';
  if (value <= INT_MAX && value >= -INT_MAX) return value.toString();
  if (value <= LONG_MAX && value >= -LONG_MAX) return `${value}L`;
  return `BigInt("${value}")`;
};

const floatLiteral = (value: number): string => {
  if (Number.isNaN(value)) return 'Double.NaN';
  if (value === Infinity) return 'Double.PositiveInfinity';
  if (value === -Infinity) return 'Double.NegativeInfinity';
  return floatText(value);
};

const literal = (value: TypedValue): string => {
  if (value.type === 'int') return intLiteral(value.value);
  if (value.type === 'float') return floatLiteral(value.value);
  if (value.type === 'str') return scalaString(value.value);
  if (value.type === 'bool') return value.value ? 'true' : 'false';
  if (value.type === 'None') return 'null';
  // Typed as Any: Seq(1, 2.5) would widen the 1 to 1.0.
  if (value.type === 'list') return `Seq[Any](${value.items.map(literal).join(', ')})`;
  const entries = value.entries.map(([key, item]) => `${scalaString(key)} -> ${literal(item)}`);
  return `Map[String, Any](${entries.join(', ')})`;
};

/** Scala: Int, Long or BigInt, Double with its NaN and infinities, null, `Seq[Any]` and `Map[String, Any]`. */
export const SCALA = defineTranslator({
  language: 'scala',
  isIdentifier: (name) => IDENTIFIER.test(name) && name === name.normalize('NFC') && !KEYWORDS.has(name),
  literal,
  statement: (name, text) => `val ${name} = ${text}`,
  commentPrefix: '//',
});
