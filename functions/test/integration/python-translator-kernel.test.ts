import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { injectParameters } from '../../src/domain/inject-parameters.ts';
import { joinSource, type NotebookJson } from '../../src/domain/nbformat.ts';
import type { TypedValue } from '../../src/domain/typed-values.ts';
import { translatorFor } from '../../src/domain/translators/registry.ts';
import { floatText } from '../../src/domain/translators/text.ts';

const PYTHON = '/usr/bin/python3';
const BASH = '/bin/bash';
// On a developer's machine a missing interpreter skips these tests; in CI it fails them.
const MUST_RUN = process.env.CI === 'true';

const int = (value: bigint): TypedValue => ({ type: 'int', value });
const float = (value: number): TypedValue => ({ type: 'float', value });
const str = (value: string): TypedValue => ({ type: 'str', value });
const list = (...items: TypedValue[]): TypedValue => ({ type: 'list', items });
const dict = (...entries: Array<[string, TypedValue]>): TypedValue => ({ type: 'dict', entries });

const STRINGS = [
  '',
  "it's",
  'say "hi"',
  'both \' and "',
  '"""triple"""',
  "'''",
  'back\\slash\\',
  'ends with a backslash \\',
  'line\nbreak\r\n',
  'tab\there',
  'nul\0byte',
  '\0',
  '\x07\x1b[31m\x7f\x85\xa0',
  'café naïve Ωμέγα 日本語 עברית',
  '😀',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301',
  '\u2028\u2029',
  '\u202eevil',
  '\ufeffbom',
  '\ue000 private',
  '\u0378 unassigned',
  '\u{e0041} tag',
  '\u{10ffff}',
  '\\x00 \\u1234 \\N{DASH}',
  '{x} %s $HOME',
  '\\\n',
  'a'.repeat(5000),
];

const INTS = [
  0n,
  -1n,
  2n ** 53n + 1n,
  2n ** 63n,
  -(2n ** 63n) - 1n,
  2n ** 64n,
  10n ** 30n,
  16n ** 4000n,
  -(10n ** 5000n),
];

const SPECIAL_FLOATS = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  0.1,
  1e-320,
  5e-324,
  1.7976931348623157e308,
  1e16,
  1e-5,
  1e-4,
  5,
  1e21,
  123456789.125,
  -2.5e-300,
  2 ** 53 + 2,
];

/** Doubles from random bit patterns (a fixed seed), so every exponent range and digit count shows up. */
const randomFloats = (count: number): number[] => {
  const view = new DataView(new ArrayBuffer(8));
  let state = 0x2545f4914f6cdd1dn;
  const floats: number[] = [];
  while (floats.length < count) {
    state ^= (state << 13n) & 0xffffffffffffffffn;
    state ^= state >> 7n;
    state ^= (state << 17n) & 0xffffffffffffffffn;
    view.setBigUint64(0, state);
    const value = view.getFloat64(0);
    if (Number.isFinite(value)) floats.push(value);
  }
  return floats;
};

const FLOATS = [...SPECIAL_FLOATS, ...randomFloats(300)];

const NESTED = dict(
  ['list', list(int(1n), float(1), float(-0), str('😀'), { type: 'None' }, { type: 'bool', value: true }, list())],
  ['key with \'quotes\' and """', dict(['', int(2n ** 70n)], ['\n', float(NaN)])],
  ['empty', dict()],
);

/** A canonical text of a value that tells int from float, -0.0 from 0.0 and shows strings code point by code point. */
const encode = (value: TypedValue): string => {
  if (value.type === 'None') return 'N';
  if (value.type === 'bool') return value.value ? 'T' : 'F';
  if (value.type === 'int')
    return `i${value.value < 0n ? '-' : ''}0x${(value.value < 0n ? -value.value : value.value).toString(16)}`;
  if (value.type === 'float') {
    if (Number.isNaN(value.value)) return 'fnan';
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value.value);
    return `f${view.getBigUint64(0).toString(16).padStart(16, '0')}`;
  }
  if (value.type === 'str') return `s${Array.from(value.value, (char) => char.codePointAt(0)!.toString(16)).join('.')}`;
  if (value.type === 'list') return `l[${value.items.map(encode).join(',')}]`;
  return `d{${value.entries.map(([key, item]) => `${encode(str(key))}:${encode(item)}`).join(',')}}`;
};

// The same encoding, written in Python; defined after the injected cell so no parameter can shadow it.
const PYTHON_ENCODER = `
import struct as _struct
def _enc(v):
    if v is None: return 'N'
    if type(v) is bool: return 'T' if v else 'F'
    if type(v) is int: return 'i' + hex(v)
    if type(v) is float: return 'fnan' if v != v else 'f' + _struct.pack('>d', v).hex()
    if type(v) is str: return 's' + '.'.join('%x' % ord(c) for c in v)
    if type(v) is list: return 'l[' + ','.join(_enc(x) for x in v) + ']'
    if type(v) is dict: return 'd{' + ','.join(_enc(k) + ':' + _enc(x) for k, x in v.items()) + '}'
    return '?' + type(v).__name__
`;

const notebook: NotebookJson = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] };

/** The source of the cell injectParameters builds for these values, named p0, p1, … */
const injectedSource = (language: string, values: TypedValue[]): string => {
  const named = Object.fromEntries(values.map((value, i) => [`p${i}`, value]));
  return joinSource(injectParameters(notebook, language, named).cells[0]!.source);
};

const run = (command: string, args: string[]): string => {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: { ...process.env, PYTHONUTF8: '1', LC_ALL: 'C.UTF-8' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} exited with ${result.status}: ${result.stderr}`);
  return result.stdout;
};

/** What Python holds after running the injected cell, one encoded value per parameter. */
const inPython = (values: TypedValue[]): string[] => {
  const program =
    `${injectedSource('python', values)}${PYTHON_ENCODER}\n` +
    `for _i in range(${values.length}): print(_enc(globals()['p%d' % _i]))\n`;
  return run(PYTHON, ['-c', program]).trimEnd().split('\n');
};

describe.skipIf(!existsSync(PYTHON) && !MUST_RUN)('the Python translator against the real interpreter', () => {
  it(`finds ${PYTHON}`, () => {
    // Assess
    expect(existsSync(PYTHON)).toBe(true);
  });

  it('gives Python exactly the strings sent: quotes, backslashes, controls, NUL, non-ASCII and emoji', () => {
    // Prepare
    const values = STRINGS.map(str);

    // Act
    const held = inPython(values);

    // Assess
    expect(held).toEqual(values.map(encode));
  });

  it('gives Python exactly the ints sent, beyond 2^53, 2^63 and the 4300-digit decimal limit', () => {
    // Prepare
    const values = INTS.map(int);

    // Act
    const held = inPython(values);

    // Assess
    expect(held).toEqual(values.map(encode));
  });

  it('gives Python exactly the floats sent, bit for bit: NaN, the infinities, -0.0, subnormals and random doubles', () => {
    // Prepare
    const values = FLOATS.map(float);

    // Act
    const held = inPython(values);

    // Assess
    expect(held).toEqual(values.map(encode));
  });

  it('writes finite floats exactly as Python repr() writes them', () => {
    // Prepare
    const finite = FLOATS.filter(Number.isFinite);
    const view = new DataView(new ArrayBuffer(8));
    const bits = finite.map((n) => {
      view.setFloat64(0, n);
      return view.getBigUint64(0).toString(16);
    });
    const program =
      'import sys, struct\n' +
      "for bits in sys.argv[1:]: print(repr(struct.unpack('>d', int(bits, 16).to_bytes(8, 'big'))[0]))";

    // Act
    const reprs = run(PYTHON, ['-c', program, ...bits])
      .trimEnd()
      .split('\n');

    // Assess
    expect(finite.map(floatText)).toEqual(reprs);
  });

  it('gives Python exactly the booleans, None and nested lists and dicts sent', () => {
    // Prepare
    const values: TypedValue[] = [
      { type: 'bool', value: true },
      { type: 'bool', value: false },
      { type: 'None' },
      NESTED,
      list(NESTED, NESTED),
    ];

    // Act
    const held = inPython(values);

    // Assess
    expect(held).toEqual(values.map(encode));
  });
});

describe.skipIf(!existsSync(PYTHON) && !MUST_RUN)('Python parameter names against the real interpreter', () => {
  it('accepts exactly the names Python can assign as they are, keywords and non-NFKC spellings refused', () => {
    // Prepare
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    const names = [
      ...ascii,
      ...ascii.map((c) => `a${c}`),
      'class',
      'None',
      'match',
      'case',
      'type',
      '_',
      '__debug__',
      'größe',
      'π',
      'ﬁle',
      'ℌ',
      'a·',
      '·a',
      '𝔘𝔫𝔦',
      'a\u200d',
      '٣a',
      'a٣',
      'e\u0301',
      '\u00e9',
      'a b',
      'a\n',
      '',
    ];
    const program = [
      'import sys, keyword, unicodedata',
      "for n in sys.stdin.read().split('\\0'):",
      "    print(int(n.isidentifier() and not keyword.iskeyword(n) and n != '__debug__'",
      "              and unicodedata.normalize('NFKC', n) == n))",
    ].join('\n');

    // Act
    const result = spawnSync(PYTHON, ['-c', program], {
      input: names.join('\0'),
      encoding: 'utf8',
      env: { ...process.env, PYTHONUTF8: '1' },
    });

    // Assess
    expect(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((bit) => bit === '1'),
    ).toEqual(names.map((name) => translatorFor('python').isIdentifier(name)));
  });
});

describe.skipIf(!existsSync(BASH) && !MUST_RUN)('the bash translator against the real shell', () => {
  it('gives bash exactly the text of each scalar sent', () => {
    // Prepare
    const strings = [
      ...STRINGS.filter((s) => !s.includes('\0')),
      "'",
      "'\\''",
      '$(echo pwned)',
      '`echo pwned`',
      '-n',
      '*',
      '!x',
      'trailing\n\n',
    ];
    const scalars: Array<[TypedValue, string]> = [
      ...strings.map((s): [TypedValue, string] => [str(s), s]),
      ...INTS.slice(0, 7).map((n): [TypedValue, string] => [int(n), n.toString()]),
      [float(NaN), 'nan'],
      [float(Infinity), 'inf'],
      [float(-Infinity), '-inf'],
      [float(-0), '-0.0'],
      [float(5), '5.0'],
      [float(0.1), '0.1'],
      [float(1e16), '1e+16'],
      [{ type: 'bool', value: true }, 'true'],
      [{ type: 'None' }, ''],
    ];
    const printed = scalars.map((_, i) => `"$p${i}"`).join(' ');

    // Act
    const output = run(BASH, [
      '-c',
      `${injectedSource(
        'bash',
        scalars.map(([value]) => value),
      )}printf '%s\\0' ${printed}`,
    ]);

    // Assess
    expect(output.split('\0').slice(0, -1)).toEqual(scalars.map(([, text]) => text));
  });
});
