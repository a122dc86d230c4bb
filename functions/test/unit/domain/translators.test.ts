import { describe, expect, it } from 'vitest';
import { injectParameters, INJECTED_TAG } from '../../../src/domain/inject-parameters.ts';
import { joinSource, type Cell, type NotebookJson } from '../../../src/domain/nbformat.ts';
import type { TypedValue } from '../../../src/domain/typed-values.ts';
import { TRANSLATORS, translatorFor } from '../../../src/domain/translators/registry.ts';
import { rejection } from '../../support/rejection.ts';

const int = (value: bigint): TypedValue => ({ type: 'int', value });
const float = (value: number): TypedValue => ({ type: 'float', value });
const str = (value: string): TypedValue => ({ type: 'str', value });
const bool = (value: boolean): TypedValue => ({ type: 'bool', value });
const NONE: TypedValue = { type: 'None' };
const list = (...items: TypedValue[]): TypedValue => ({ type: 'list', items });
const dict = (...entries: Array<[string, TypedValue]>): TypedValue => ({ type: 'dict', entries });

const NASTY = 'it\'s "q" """ \\ \n\t\0é😀👨‍👩‍👧\u2028$x';
const NESTED = list(int(1n), float(2.5), NONE, dict(['k', str('v')]));

/** The literal a language writes for a value, from the line that assigns it to `x`. */
const literal = (language: string, value: TypedValue): string =>
  translatorFor(language)
    .assign('x', value)
    .replace(/^(val )?x ?= ?/, '');

const VALUES: Record<string, TypedValue> = {
  bigInt: int(2n ** 63n),
  negativeBigInt: int(-(2n ** 63n) - 1n),
  huge: int(10n ** 30n),
  nan: float(NaN),
  inf: float(Infinity),
  minusInf: float(-Infinity),
  minusZero: float(-0),
  five: float(5),
  tenth: float(0.1),
  large: float(1e16),
  tiny: float(1e-320),
  yes: bool(true),
  none: NONE,
  nested: NESTED,
  empty: dict(),
};

const EXPECTED: Record<string, Record<string, string>> = {
  python: {
    bigInt: '9223372036854775808',
    negativeBigInt: '-9223372036854775809',
    huge: '1000000000000000000000000000000',
    nan: "float('nan')",
    inf: "float('inf')",
    minusInf: "float('-inf')",
    minusZero: '-0.0',
    five: '5.0',
    tenth: '0.1',
    large: '1e+16',
    tiny: '1e-320',
    yes: 'True',
    none: 'None',
    nested: "[1, 2.5, None, {'k': 'v'}]",
    empty: '{}',
  },
  R: {
    bigInt: '9223372036854775808',
    negativeBigInt: '-9223372036854775809  # R holds -9223372036854775809 as the double -9223372036854775808',
    huge:
      '1000000000000000000000000000000  ' +
      '# R holds 1000000000000000000000000000000 as the double 1000000000000000019884624838656',
    nan: 'NaN',
    inf: 'Inf',
    minusInf: '-Inf',
    minusZero: '-0',
    five: '5.0',
    tenth: '0.1',
    large: '1e+16',
    tiny: '1e-320',
    yes: 'TRUE',
    none: 'NULL',
    nested: 'list(1, 2.5, NULL, list("k" = "v"))',
    empty: 'setNames(list(), character(0))',
  },
  julia: {
    bigInt: 'big"9223372036854775808"',
    negativeBigInt: 'big"-9223372036854775809"',
    huge: 'big"1000000000000000000000000000000"',
    nan: 'NaN',
    inf: 'Inf',
    minusInf: '-Inf',
    minusZero: '-0.0',
    five: '5.0',
    tenth: '0.1',
    large: '1e+16',
    tiny: '1e-320',
    yes: 'true',
    none: 'nothing',
    nested: 'Any[1, 2.5, nothing, Dict{String,Any}("k" => "v")]',
    empty: 'Dict{String,Any}()',
  },
  scala: {
    bigInt: 'BigInt("9223372036854775808")',
    negativeBigInt: 'BigInt("-9223372036854775809")',
    huge: 'BigInt("1000000000000000000000000000000")',
    nan: 'Double.NaN',
    inf: 'Double.PositiveInfinity',
    minusInf: 'Double.NegativeInfinity',
    minusZero: '-0.0',
    five: '5.0',
    tenth: '0.1',
    large: '1e+16',
    tiny: '1e-320',
    yes: 'true',
    none: 'null',
    nested: 'Seq[Any](1, 2.5, null, Map[String, Any]("k" -> "v"))',
    empty: 'Map[String, Any]()',
  },
};

describe('translators', () => {
  describe('literals', () => {
    for (const [language, expected] of Object.entries(EXPECTED)) {
      it(`writes every kind of value exactly in ${language}`, () => {
        // Act
        const written = Object.fromEntries(
          Object.entries(VALUES).map(([name, value]) => [name, literal(language, value)]),
        );

        // Assess
        expect(written).toEqual(expected);
      });
    }

    it('escapes strings so quotes, backslashes, controls and invisible characters cannot end the literal', () => {
      // Act
      const python = literal('python', str(NASTY));
      const julia = literal('julia', str(NASTY));
      const scala = literal('scala', str(NASTY));

      // Assess
      expect(python).toBe(`'it\\'s "q" """ \\\\ \\n\\t\\x00é😀👨\\u200d👩\\u200d👧\\u2028$x'`);
      expect(julia).toBe(`"it's \\"q\\" \\"\\"\\" \\\\ \\n\\t\\u0000é😀👨\\u200d👩\\u200d👧\\u2028\\$x"`);
      expect(scala).toBe(`"it's \\"q\\" \\"\\"\\" \\\\ \\n\\t\\u0000é😀👨\\u200d👩\\u200d👧\\u2028$x"`);
    });

    it('writes an emoji that Python must escape as one code point, never as two surrogates', () => {
      // Act
      const python = literal('python', str('\u{e0041}'));
      const scala = literal('scala', str('\u{e0041}'));

      // Assess
      expect(python).toBe("'\\U000e0041'");
      expect(scala).toBe('"\\udb40\\udc41"');
    });

    it('quotes a string as repr does when it holds only single quotes', () => {
      // Act
      const written = literal('python', str("it's"));

      // Assess
      expect(written).toBe('"it\'s"');
    });

    it('escapes every non-ASCII character in R so the locale cannot change the string', () => {
      // Act
      const written = literal('R', str('é😀"\\\n'));

      // Assess
      expect(written).toBe('"\\u{00e9}\\U{0001f600}\\"\\\\\\n"');
    });

    it('writes ints beyond the decimal limit of Python 3.11 in hex', () => {
      // Act
      const written = literal('python', int(-(16n ** 4000n)));

      // Assess
      expect(written).toBe(`-0x1${'0'.repeat(4000)}`);
    });

    it('picks Int, Long or BigInt in Scala and names the minimum values', () => {
      // Act
      const written = [2n ** 31n - 1n, -(2n ** 31n), 2n ** 31n, -(2n ** 63n), 2n ** 63n - 1n].map((n) =>
        literal('scala', int(n)),
      );

      // Assess
      expect(written).toEqual(['2147483647', 'Int.MinValue', '2147483648L', 'Long.MinValue', '9223372036854775807L']);
    });

    it('keeps an R dict whose key is empty exact with setNames', () => {
      // Act
      const written = literal('R', dict(['', int(1n)], ['b', bool(false)]));

      // Assess
      expect(written).toBe('setNames(list(1, FALSE), c("", "b"))');
    });

    it('writes bash scalars as shell words and quotes strings with the close-escape-reopen trick', () => {
      // Act
      const lines = [str("it's $(rm -rf /) `x`"), int(-5n), float(NaN), float(-0), bool(false), NONE].map((value) =>
        translatorFor('bash').assign('x', value),
      );

      // Assess
      expect(lines).toEqual(["x='it'\\''s $(rm -rf /) `x`'", 'x=-5', 'x=nan', 'x=-0.0', 'x=false', "x=''"]);
    });

    it('refuses what a language cannot hold: lists in bash, NUL in bash and R', () => {
      // Act
      const errors = [
        rejection(() => translatorFor('bash').assign('xs', list())),
        rejection(() => translatorFor('sh').assign('x', str('a\0b'))),
        rejection(() => translatorFor('R').assign('x', list(str('\0')))),
      ];

      // Assess
      expect(errors.map((e) => e.details)).toEqual([
        [{ path: 'parameters.xs', message: 'bash takes scalars only (str, int, float, bool, None), got a list' }],
        [{ path: 'parameters.x', message: 'bash variables cannot hold NUL (\\0) characters' }],
        [{ path: 'parameters.x', message: 'R strings cannot hold NUL (\\0) characters' }],
      ]);
    });

    it('comments in each language', () => {
      // Act
      const comments = ['python', 'R', 'julia', 'scala', 'bash'].map((language) =>
        translatorFor(language).comment('Parameters'),
      );

      // Assess
      expect(comments).toEqual(['# Parameters', '# Parameters', '# Parameters', '// Parameters', '# Parameters']);
    });
  });

  describe('names', () => {
    const CASES: Record<string, { good: string[]; bad: string[] }> = {
      python: {
        good: ['a', '_x1', 'match', 'case', 'type', '_', 'größe', 'π'],
        bad: ['class', 'None', '__debug__', '1a', 'a-b', 'a b', 'ﬁle', 'a;b', '', 'a\n'],
      },
      R: {
        good: ['a', 'a.b', '.hidden', 'a_1', 'élan'],
        bad: ['_a', '.1a', '1a', 'if', 'TRUE', 'NA_real_', '...', '..2', 'a-b', 'function'],
      },
      julia: { good: ['a', '_b', 'x1', 'type', 'δ'], bad: ['end', 'function', 'true', 'in', '1a', 'a!', 'a.b'] },
      scala: { good: ['a', '_b', 'x1', 'using', 'Name'], bad: ['val', 'type', 'given', '_', 'a$', '`a`', '1a', 'a+'] },
      bash: { good: ['a', '_B', 'PATH_2'], bad: ['1a', 'a-b', 'é', 'a b', '$a', ''] },
    };

    for (const [language, { good, bad }] of Object.entries(CASES)) {
      it(`tells ${language} identifiers from keywords and other text`, () => {
        // Prepare
        const translator = translatorFor(language);

        // Act
        const verdicts = [...good, ...bad].map((name) => translator.isIdentifier(name));

        // Assess
        expect(verdicts).toEqual([...good.map(() => true), ...bad.map(() => false)]);
      });
    }

    it('refuses to assign to a name that is not an identifier, so a name never carries code', () => {
      // Act
      const error = rejection(() => translatorFor('python').assign('x = 1; import os; y', int(1n)));

      // Assess
      expect(error.details?.[0]?.path).toBe('parameters["x = 1; import os; y"]');
    });
  });

  describe('registry', () => {
    it('finds translators by language and alias in any case', () => {
      // Act
      const found = ['python', 'Python3', 'R', 'r', 'julia', 'scala', 'bash', 'sh'].map(
        (language) => translatorFor(language).language,
      );

      // Assess
      expect(found).toEqual(['python', 'python', 'R', 'R', 'julia', 'scala', 'bash', 'bash']);
      expect([...TRANSLATORS.keys()]).toEqual(['python', 'python3', 'r', 'julia', 'scala', 'bash', 'sh']);
    });

    it('refuses a missing or unknown language and lists the known ones', () => {
      // Act
      const missing = rejection(() => translatorFor(null));
      const unknown = rejection(() => translatorFor('matlab'));

      // Assess
      expect(missing.message).toBe(
        "the notebook's kernel names no language; " +
          'parameters can be injected into notebooks in: python, python3, r, julia, scala, bash, sh',
      );
      expect(unknown.message).toContain("there is no parameter translator for the language 'matlab'");
      expect(unknown.code).toBe('unsupported_language');
    });
  });
});

const code = (source: string, tags?: string[], id?: string): Cell => ({
  ...(id ? { id } : {}),
  cell_type: 'code',
  metadata: tags ? { tags } : {},
  source,
  outputs: [],
  execution_count: null,
});

const notebookOf = (cells: Cell[], nbformatMinor = 5, metadata: Record<string, unknown> = {}): NotebookJson => ({
  nbformat: 4,
  nbformat_minor: nbformatMinor,
  metadata,
  cells,
});

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') Object.values(value).forEach(deepFreeze);
  return Object.freeze(value);
};

describe('injectParameters', () => {
  it('puts a tagged cell right after the parameters cell, with one line per value in the order given', () => {
    // Prepare
    const notebook = notebookOf([
      code('import x', [], 'a'),
      code('days = 1', ['parameters'], 'b'),
      code('print(days)', [], 'c'),
    ]);

    // Act
    const injected = injectParameters(notebook, 'python', { days: int(7n), region: str('eu') });

    // Assess
    expect(injected.cells.map((cell) => cell.id)).toEqual(['a', 'b', INJECTED_TAG, 'c']);
    expect(injected.cells[2]).toEqual({
      id: INJECTED_TAG,
      cell_type: 'code',
      metadata: { tags: [INJECTED_TAG] },
      source: "# Parameters\ndays = 7\nregion = 'eu'\n",
      outputs: [],
      execution_count: null,
    });
  });

  it('puts the cell first when no code cell is tagged parameters', () => {
    // Prepare
    const notebook = notebookOf([code('print(1)', [], 'a')]);

    // Act
    const injected = injectParameters(notebook, 'julia', { n: int(1n) });

    // Assess
    expect(injected.cells.map((cell) => cell.id)).toEqual([INJECTED_TAG, 'a']);
    expect(joinSource(injected.cells[0]!.source)).toBe('# Parameters\nn = 1\n');
  });

  it('replaces an earlier injected cell instead of stacking a second one', () => {
    // Prepare
    const once = injectParameters(notebookOf([code('n = 1', ['parameters'], 'p')]), 'python', { n: int(2n) });

    // Act
    const twice = injectParameters(once, 'python', { n: int(3n) });

    // Assess
    expect(twice.cells.map((cell) => [cell.id, joinSource(cell.source)])).toEqual([
      ['p', 'n = 1'],
      [INJECTED_TAG, '# Parameters\nn = 3\n'],
    ]);
  });

  it('gives the cell a free id on nbformat 4.5 and none before it', () => {
    // Prepare
    const taken = notebookOf([code('x', [], INJECTED_TAG), code('y', [], `${INJECTED_TAG}-2`)]);
    const old = notebookOf([code('x')], 4);

    // Act
    const withIds = injectParameters(taken, 'python', {});
    const withoutIds = injectParameters(old, 'python', {});

    // Assess
    expect(withIds.cells[0]?.id).toBe(`${INJECTED_TAG}-3`);
    expect('id' in withoutIds.cells[0]!).toBe(false);
  });

  it('records the values in papermill metadata and keeps what else is there', () => {
    // Prepare
    const notebook = notebookOf([], 5, { kernelspec: { language: 'python' }, papermill: { version: '2.6.0' } });

    // Act
    const injected = injectParameters(notebook, 'python', { big: int(2n ** 64n), nan: float(NaN), xs: list(int(1n)) });

    // Assess
    expect(injected.metadata).toEqual({
      kernelspec: { language: 'python' },
      papermill: { version: '2.6.0', parameters: { big: '18446744073709551616', nan: 'nan', xs: [1] } },
    });
  });

  it('never changes the notebook it is given', () => {
    // Prepare
    const notebook = deepFreeze(
      notebookOf([code('n = 1', ['parameters'], 'p'), code('old', [INJECTED_TAG], 'i')], 5, { papermill: {} }),
    );
    const before = structuredClone(notebook);

    // Act
    const injected = injectParameters(notebook, 'python', { n: int(2n) });

    // Assess
    expect(notebook).toEqual(before);
    expect(injected).not.toBe(notebook);
  });

  it('refuses bad names and values the language cannot hold before building anything', () => {
    // Prepare
    const notebook = notebookOf([]);

    // Act
    const badName = rejection(() => injectParameters(notebook, 'python', { 'x=1\nimport os\ny': int(1n) }));
    const badValues = rejection(() => injectParameters(notebook, 'bash', { a: list(), b: dict(), c: int(1n) }));

    // Assess
    expect(badName.details?.[0]?.path).toBe('parameters["x=1\\nimport os\\ny"]');
    expect(badValues.details?.map((d) => d.path)).toEqual(['parameters.a', 'parameters.b']);
  });
});
