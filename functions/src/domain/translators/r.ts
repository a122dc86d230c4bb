import type { TypedValue } from '../typed-values.ts';
import { floatText, hex, isPrintableAscii } from './text.ts';
import { CannotTranslate, defineTranslator } from './translator.ts';

const RESERVED = new Set(
  (
    'if else repeat while function for in next break TRUE FALSE NULL Inf NaN NA ' +
    'NA_integer_ NA_real_ NA_character_ NA_complex_'
  ).split(' '),
);
// A syntactic R name: a letter, or a dot not followed by a digit, then letters, digits, dots and underscores.
const IDENTIFIER = /^(?:\p{L}|\.(?![0-9]))[\p{L}0-9._]*$/u;
// `...` and `..1`, `..2`… are reserved as well.
const DOTS = /^\.\.(?:\.|[0-9]+)$/;
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const isIdentifier = (name: string): boolean => IDENTIFIER.test(name) && !DOTS.test(name) && !RESERVED.has(name);

const escapeChar = (char: string): string => {
  if (SIMPLE_ESCAPES[char] !== undefined) return SIMPLE_ESCAPES[char];
  if (isPrintableAscii(char)) return char;
  // Every other character is a \u{…} escape: the literal then means the same whatever the session's locale.
  const code = char.codePointAt(0) ?? 0;
  return code < 0x10000 ? `\\u{${hex(code, 4)}}` : `\\U{${hex(code, 8)}}`;
};

/** An R string literal that reads back to exactly `text`; R strings cannot hold NUL, so that is refused. */
export const rString = (text: string): string => {
  if (text.includes('\0')) throw new CannotTranslate('R strings cannot hold NUL (\\0) characters');
  return `"${Array.from(text, escapeChar).join('')}"`;
};

// R has no 64-bit or big ints: ints become doubles, as papermill's `x = 5` does, and the line says so when digits are
// lost.
const intLiteral = (value: bigint, notes: string[]): string => {
  const held = Number(value);
  if (!Number.isFinite(held)) notes.push(`${value} is beyond a double: R holds ${held > 0 ? 'Inf' : '-Inf'}`);
  else if (BigInt(held) !== value) notes.push(`R holds ${value} as the double ${BigInt(held)}`);
  return value.toString();
};

const floatLiteral = (value: number): string => {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Inf';
  if (value === -Infinity) return '-Inf';
  return Object.is(value, -0) ? '-0' : floatText(value);
};

const named = (entries: Array<[string, TypedValue]>, notes: string[]): string => {
  const values = entries.map(([, item]) => literal(item, notes));
  // `list("" = 1)` is an error in R, and `list()` would lose that the value was a dict: setNames keeps both exact.
  if (entries.length === 0 || entries.some(([key]) => key === '')) {
    const names = entries.length === 0 ? 'character(0)' : `c(${entries.map(([key]) => rString(key)).join(', ')})`;
    return `setNames(list(${values.join(', ')}), ${names})`;
  }
  return `list(${entries.map(([key], i) => `${rString(key)} = ${values[i]}`).join(', ')})`;
};

const literal = (value: TypedValue, notes: string[]): string => {
  if (value.type === 'int') return intLiteral(value.value, notes);
  if (value.type === 'float') return floatLiteral(value.value);
  if (value.type === 'str') return rString(value.value);
  if (value.type === 'bool') return value.value ? 'TRUE' : 'FALSE';
  if (value.type === 'None') return 'NULL';
  if (value.type === 'list') return `list(${value.items.map((item) => literal(item, notes)).join(', ')})`;
  return named(value.entries, notes);
};

/** R: doubles for numbers, \u-escaped strings, `list(...)` for lists and named lists for dicts, NULL for None. */
export const R = defineTranslator({
  language: 'R',
  isIdentifier,
  literal,
  statement: (name, text) => `${name} = ${text}`,
  commentPrefix: '#',
});
