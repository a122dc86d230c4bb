import { describe, expect, it } from 'vitest';
import { parsePythonLiteral, type LiteralResult } from '../../../src/domain/python-literal.ts';

const value = (text: string): unknown => {
  const result = parsePythonLiteral(text);
  if (!result.ok) throw new Error(`expected ${text} to parse, got: ${result.reason}`);
  return result.value;
};

const reason = (text: string): string => {
  const result = parsePythonLiteral(text);
  if (result.ok) throw new Error(`expected ${text} to fail, got ${JSON.stringify(result.value)}`);
  return result.reason;
};

describe('parsePythonLiteral', () => {
  describe('ints', () => {
    it('reads decimal ints with underscores and signs', () => {
      expect(parsePythonLiteral('1_000_000')).toEqual({ ok: true, type: 'int', value: 1_000_000, source: '1_000_000' });
      expect(value('-42')).toBe(-42);
      expect(value('+7')).toBe(7);
      expect(value('0')).toBe(0);
      expect(value('0_0')).toBe(0);
    });

    it('reads hex, octal and binary ints in either case, with underscores', () => {
      expect([value('0xff'), value('0XFF'), value('0x_ff'), value('0o17'), value('0O17'), value('0b1_01')]).toEqual([
        255, 255, 255, 15, 15, 5,
      ]);
    });

    it('keeps ints up to 2^53 - 1 as numbers', () => {
      expect(value('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
      expect(value('-9007199254740991')).toBe(Number.MIN_SAFE_INTEGER);
    });

    it('gives ints beyond 2^53 - 1 as exact decimal strings', () => {
      expect(parsePythonLiteral('9007199254740992')).toEqual({
        ok: true,
        type: 'int',
        value: '9007199254740992',
        source: '9007199254740992',
      });
      expect(value('18446744073709551616')).toBe('18446744073709551616');
      expect(value('-9223372036854775809')).toBe('-9223372036854775809');
      expect(value('0xFFFF_FFFF_FFFF_FFFF_FFFF')).toBe('1208925819614629174706175');
    });

    it('refuses ints with leading zeros, dangling underscores and digits outside their base', () => {
      expect(reason('007')).toContain('leading zeros');
      expect(reason('007')).toContain('0o7');
      expect(reason('1_')).toContain('invalid number literal `1_`');
      expect(reason('1__0')).toContain('invalid number literal');
      expect(reason('0b2')).toContain('invalid number literal');
      expect(reason('0x')).toContain('invalid number literal');
    });

    it('refuses complex numbers', () => {
      expect(reason('1j')).toContain('complex');
    });
  });

  describe('floats', () => {
    it('reads decimal points, exponents and underscores', () => {
      expect([
        value('1.5'),
        value('1.'),
        value('.5'),
        value('1e3'),
        value('1E+3'),
        value('1.5e-3'),
        value('1_0.0_1'),
      ]).toEqual([1.5, 1, 0.5, 1000, 1000, 0.0015, 10.01]);
      expect(parsePythonLiteral('2.0')).toMatchObject({ type: 'float', value: 2 });
    });

    it('keeps the sign of negative zero', () => {
      // Prepare
      const text = '-0.0';

      // Act
      const result = parsePythonLiteral(text);

      // Assess
      expect(result).toMatchObject({ ok: true, type: 'float', source: '-0.0' });
      expect(Object.is((result as Extract<LiteralResult, { ok: true }>).value, -0)).toBe(true);
    });

    it("reads float('nan') and the infinities as the strings 'nan', 'inf' and '-inf'", () => {
      expect(parsePythonLiteral("float('nan')")).toEqual({
        ok: true,
        type: 'float',
        value: 'nan',
        source: "float('nan')",
      });
      expect(value("float('inf')")).toBe('inf');
      expect(value('float("-inf")')).toBe('-inf');
      expect(value("float(' +Infinity ')")).toBe('inf');
      expect(value("-float('inf')")).toBe('-inf');
      expect(value('float(3)')).toBe(3);
    });

    it('turns floats too large for a double into inf, as Python does', () => {
      expect(value('1e400')).toBe('inf');
      expect(value('-1e400')).toBe('-inf');
    });

    it('refuses float() of text Python cannot read, and other calls', () => {
      expect(reason("float('abc')")).toContain('not a number');
      expect(reason('int(3)')).toContain('`int(…)` is a call');
    });
  });

  describe('strings', () => {
    it('reads single, double and triple quotes', () => {
      expect([value("'a'"), value('"b"'), value("'''c\nd'''"), value('"""e\'f"g"""'), value("''")]).toEqual([
        'a',
        'b',
        'c\nd',
        'e\'f"g',
        '',
      ]);
    });

    it('applies escapes as Python does', () => {
      expect(value(String.raw`'\n\t\\\'\"'`)).toBe('\n\t\\\'"');
      expect(value(String.raw`'\x41\u00e9\U0001F600\101\0'`)).toBe('Aé😀A\0');
      expect(value(String.raw`'\d'`)).toBe('\\d');
      expect(value("'a\\\nb'")).toBe('ab');
    });

    it('leaves escapes alone in raw strings, and accepts the u prefix', () => {
      expect(value(String.raw`r'\n\d'`)).toBe('\\n\\d');
      expect(value(String.raw`R"\""`)).toBe('\\"');
      expect(value("u'x'")).toBe('x');
    });

    it('keeps emoji and non-ASCII text intact', () => {
      expect(value("'héllo 世界 🎉'")).toBe('héllo 世界 🎉');
    });

    it('joins adjacent strings, also across lines inside parentheses', () => {
      expect(value(`'a' "b" r'\\n'`)).toBe('ab\\n');
      expect(value("('one '\n 'two')")).toBe('one two');
    });

    it('treats # inside a string as text and a comment after it as a comment', () => {
      expect(parsePythonLiteral("'a # b'  # note")).toEqual({
        ok: true,
        type: 'str',
        value: 'a # b',
        source: "'a # b'",
      });
    });

    it('refuses f-strings, t-strings and bytes', () => {
      expect(reason("f'{x}'")).toContain('f-string');
      expect(reason("rf'a'")).toContain('f-string');
      expect(reason("t'a'")).toContain('t-string');
      expect(reason("b'a'")).toContain('bytes');
      expect(reason("'a' f'b'")).toContain('f-string');
    });

    it('reports named and broken escapes as unsupported', () => {
      expect(reason(String.raw`'\N{BULLET}'`)).toContain('named escapes');
      expect(reason(String.raw`'\x4'`)).toContain('truncated');
      expect(reason(String.raw`'\U00110000'`)).toContain('U+10FFFF');
    });

    it('refuses unterminated strings', () => {
      expect(reason("'abc")).toContain('unterminated string');
      expect(reason("'a\nb'")).toContain('unterminated string');
      expect(reason("'''abc")).toContain('unterminated triple-quoted string');
    });
  });

  describe('constants and collections', () => {
    it('reads True, False and None', () => {
      expect([parsePythonLiteral('True'), parsePythonLiteral('False'), parsePythonLiteral('None')]).toEqual([
        { ok: true, type: 'bool', value: true, source: 'True' },
        { ok: true, type: 'bool', value: false, source: 'False' },
        { ok: true, type: 'None', value: null, source: 'None' },
      ]);
    });

    it('reads lists and tuples, with trailing commas, as arrays of type list', () => {
      expect(parsePythonLiteral('[1, 2,]')).toMatchObject({ type: 'list', value: [1, 2] });
      expect(parsePythonLiteral('(1, 2)')).toMatchObject({ type: 'list', value: [1, 2] });
      expect([value('(1,)'), value('()'), value('[]'), value('1, 2'), value('1,')]).toEqual([[1], [], [], [1, 2], [1]]);
    });

    it('reads a parenthesized value as the value itself, not a tuple', () => {
      expect(parsePythonLiteral('(1)')).toMatchObject({ type: 'int', value: 1 });
      expect(parsePythonLiteral("('a')")).toMatchObject({ type: 'str', value: 'a' });
    });

    it('reads nested dicts and lists with the JSON rules applied inside', () => {
      // Prepare
      const text = "{'a': {'b': [1, (2, 3), None]}, 'big': [2_0000_0000_0000_0000], 'f': float('nan'), 'e': {}}";

      // Act
      const result = value(text);

      // Assess
      expect(result).toEqual({ a: { b: [1, [2, 3], null] }, big: ['20000000000000000'], f: 'nan', e: {} });
    });

    it('keeps the last value of a repeated dict key at its first place, as Python does', () => {
      expect(Object.entries(value("{'k': 1, 'j': 2, 'k': 3}") as object)).toEqual([
        ['k', 3],
        ['j', 2],
      ]);
    });

    it('stores a __proto__ key as an ordinary key', () => {
      const dict = value("{'__proto__': 1}") as Record<string, unknown>;
      expect(Object.keys(dict)).toEqual(['__proto__']);
      expect(Object.getPrototypeOf(dict)).toBe(Object.prototype);
    });

    it('reads values spread over lines with comments inside the brackets', () => {
      // Prepare
      const text = "{\n    'a': 1,  # one\n    'b': [\n        2,\n    ],\n}";

      // Act
      const result = parsePythonLiteral(text);

      // Assess
      expect(result).toEqual({ ok: true, type: 'dict', value: { a: 1, b: [2] }, source: text });
    });

    it('refuses dicts whose keys are not strings', () => {
      expect(reason('{1: 2}')).toBe('dict keys must be strings; `1` is an int');
      expect(reason('{None: 2}')).toContain('is None');
    });

    it('refuses sets, unpacking and Ellipsis', () => {
      expect(reason('{1, 2}')).toContain('sets are not supported');
      expect(reason('set()')).toContain('sets are not supported');
      expect(reason('{**a}')).toContain('unpacking');
      expect(reason('...')).toContain('Ellipsis');
    });

    it('gives up on values nested deeper than 100 levels instead of overflowing the stack', () => {
      expect(reason('['.repeat(5000))).toContain('nested more than 100 levels');
    });
  });

  describe('what is not a literal', () => {
    it('names calls, attributes, names and operators', () => {
      expect(reason('foo()')).toContain('`foo(…)` is a call');
      expect(reason('np.nan')).toContain('attribute');
      expect(reason('x')).toContain('`x` is a name');
      expect(reason('60 * 60')).toContain('`*` is an operator');
      expect(reason("'a' + 'b'")).toContain('operator');
      expect(reason("'abc'.upper()")).toContain('attribute');
      expect(reason('lambda: 1')).toContain('lambda');
    });

    it('allows one sign before a number only', () => {
      expect(reason('--1')).toContain('`-` can only come before a number');
      expect(reason('-True')).toContain('`-` can only come before a number');
    });

    it('explains unclosed brackets, missing commas and extra values', () => {
      expect(reason('[1, 2')).toBe('`[` is never closed');
      expect(reason('[1 2]')).toBe('expected `,` or `]` before `2`');
      expect(reason('1 2')).toContain('after the value');
      expect(reason('[1,,2]')).toContain('unexpected `,`');
    });

    it('says there is no value for empty or comment-only text', () => {
      expect(reason('')).toBe('there is no value');
      expect(reason('  # nothing')).toBe('there is no value');
    });
  });
});
