import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNotebook, type Cell, type NotebookJson } from '../../../src/domain/nbformat.ts';
import { inferParameters, NO_PARAMETERS } from '../../../src/domain/parameters.ts';

const fixture = (name: string): NotebookJson =>
  parseNotebook(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')).notebook;

const code = (source: string, tags?: string[]): Cell => ({
  cell_type: 'code',
  metadata: tags ? { tags } : {},
  source,
  outputs: [],
  execution_count: null,
});

const notebookOf = (...cells: Cell[]): NotebookJson => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });

/** Infers the parameters of a notebook whose only cell is a parameters cell with this source. */
const infer = (source: string) => inferParameters(notebookOf(code(source, ['parameters'])));

describe('inferParameters', () => {
  describe('on the fixtures', () => {
    it('reads every kind of parameter, with its help, from a clean parameters cell', () => {
      // Prepare
      const notebook = fixture('parameters-basic.ipynb');

      // Act
      const inference = inferParameters(notebook);

      // Assess
      expect(inference).toEqual({
        cellIndex: 1,
        parameters: [
          {
            name: 'region',
            type: 'str',
            default: 'eu-west-1',
            defaultSource: '"eu-west-1"',
            help: 'AWS region to read sales from',
          },
          { name: 'days', type: 'int', default: 7, defaultSource: '7', help: 'how many days to look back' },
          {
            name: 'threshold',
            type: 'float',
            default: 0.25,
            defaultSource: '0.25',
            help: 'alert when the drop exceeds this fraction',
          },
          {
            name: 'dry_run',
            type: 'bool',
            default: false,
            defaultSource: 'False',
            help: 'print the alert instead of sending it',
          },
          {
            name: 'products',
            type: 'list',
            default: ['widget', 'gadget'],
            defaultSource: '["widget", "gadget"]',
            help: 'products to include',
          },
          {
            name: 'limits',
            type: 'dict',
            default: { widget: 100, gadget: 50 },
            defaultSource: '{"widget": 100, "gadget": 50}',
            help: 'minimum daily units per product',
          },
          {
            name: 'note',
            type: 'None',
            default: null,
            defaultSource: 'None',
            help: 'optional note for the report header',
          },
        ],
        problems: [],
      });
    });

    it('keeps the literal assignments of a messy cell and reports the imports and calls', () => {
      // Prepare
      const notebook = fixture('parameters-messy.ipynb');

      // Act
      const { cellIndex, parameters, problems } = inferParameters(notebook);

      // Assess
      expect(cellIndex).toBe(1);
      expect(parameters.map((p) => [p.name, p.default, p.help])).toEqual([
        ['input_path', 's3://bucket/input.csv', 'where to read from'],
        ['retries', 5, 'raised after the outage'],
        ['tags', ['nightly', 'sales'], 'labels for the run'],
      ]);
      expect(problems.map((p) => [p.line, p.text])).toEqual([
        [1, 'import os'],
        [2, 'from datetime import date'],
        [5, 'run_date = str(date.today())  # defaults to today'],
        [7, 'os.makedirs("out", exist_ok=True)'],
      ]);
      expect(problems[0]?.reason).toContain('import');
      expect(problems[2]?.reason).toContain('`str(…)` is a call');
      expect(problems[3]?.reason).toContain('`os.makedirs(…)` is a call');
    });
  });

  describe('finding the parameters cell', () => {
    it('returns no parameters when no cell is tagged parameters', () => {
      // Prepare
      const notebook = notebookOf(code('a = 1'), code('b = 2', ['other']));

      // Act
      const inference = inferParameters(notebook);

      // Assess
      expect(inference).toEqual({ cellIndex: null, parameters: [], problems: [] });
      expect(inference).toEqual(NO_PARAMETERS);
    });

    it('uses the first tagged code cell and ignores tagged markdown cells', () => {
      // Prepare
      const markdown: Cell = { cell_type: 'markdown', metadata: { tags: ['parameters'] }, source: 'x = 0' };
      const notebook = notebookOf(
        markdown,
        code('a = 1'),
        code('b = 2', ['parameters']),
        code('c = 3', ['parameters']),
      );

      // Act
      const inference = inferParameters(notebook);

      // Assess
      expect(inference.cellIndex).toBe(2);
      expect(inference.parameters.map((p) => p.name)).toEqual(['b']);
    });

    it('ignores tags that are not a list', () => {
      expect(inferParameters(notebookOf({ ...code('a = 1'), metadata: { tags: 'parameters' } })).cellIndex).toBeNull();
    });

    it('reads a source stored as a list of lines', () => {
      expect(
        inferParameters(
          notebookOf({ ...code(''), source: ['a = 1\n', 'b = 2'], metadata: { tags: ['parameters'] } }),
        ).parameters.map((p) => p.name),
      ).toEqual(['a', 'b']);
    });

    it('keeps NO_PARAMETERS frozen so no caller can change it for the others', () => {
      expect(Object.isFrozen(NO_PARAMETERS)).toBe(true);
      expect(Object.isFrozen(NO_PARAMETERS.parameters)).toBe(true);
    });
  });

  describe('values and types', () => {
    it('infers each type from the literal when there is no annotation', () => {
      // Prepare
      const source = "i = -3\nf = 2.5\ns = 'x'\nb = True\nl = [1]\nt = (1, 2)\nd = {'k': 1}\nn = None";

      // Act
      const { parameters } = infer(source);

      // Assess
      expect(parameters.map((p) => [p.name, p.type])).toEqual([
        ['i', 'int'],
        ['f', 'float'],
        ['s', 'str'],
        ['b', 'bool'],
        ['l', 'list'],
        ['t', 'list'],
        ['d', 'dict'],
        ['n', 'None'],
      ]);
    });

    it('passes big ints, nan, inf and -0.0 through the JSON rules of the literal parser', () => {
      // Prepare
      const source = 'big = 2_305_843_009_213_693_952_000\nnan = float(\'nan\')\nninf = float("-inf")\nzero = -0.0';

      // Act
      const { parameters } = infer(source);

      // Assess
      expect(parameters.map((p) => [p.type, p.default])).toEqual([
        ['int', '2305843009213693952000'],
        ['float', 'nan'],
        ['float', '-inf'],
        ['float', -0],
      ]);
      expect(Object.is(parameters[3]?.default, -0)).toBe(true);
      expect(parameters[0]?.defaultSource).toBe('2_305_843_009_213_693_952_000');
    });

    it('takes the type from an annotation that names one', () => {
      // Prepare
      const source = [
        'a: float = 1',
        'b: List[str] = []',
        'c: dict[str, int] = {}',
        'd: Optional[int] = None',
        'e: int | None = None',
        'f: typing.Dict[str, typing.List[int]] = {}',
        "g: 'str' = None",
        'h: Union[float, None] = 1',
        'i: None = None',
        'j: tuple = (1, 2)',
      ].join('\n');

      // Act
      const { parameters, problems } = infer(source);

      // Assess
      expect(problems).toEqual([]);
      expect(parameters.map((p) => p.type)).toEqual([
        'float',
        'list',
        'dict',
        'int',
        'int',
        'dict',
        'str',
        'float',
        'None',
        'list',
      ]);
    });

    it('falls back to the literal when the annotation names no known type', () => {
      expect(
        infer("p: Path = 'data.csv'\nq: Union[int, str] = 3\nr: Any = True").parameters.map((p) => p.type),
      ).toEqual(['str', 'int', 'bool']);
    });

    it('reads a papermill type comment as the annotation, and what follows it as help', () => {
      expect(infer('n = 1  # type: float  the rate').parameters).toEqual([
        { name: 'n', type: 'float', default: 1, defaultSource: '1', help: 'the rate' },
      ]);
    });

    it('reads quotes, escapes, emoji and non-ASCII text in defaults and names', () => {
      // Prepare
      const source = "greeting = \"héllo \\\"wörld\\\" 🎉\\n\"  # 挨拶\nnaïve = '''a\nb'''";

      // Act
      const { parameters } = infer(source);

      // Assess
      expect(parameters).toEqual([
        {
          name: 'greeting',
          type: 'str',
          default: 'héllo "wörld" 🎉\n',
          defaultSource: '"héllo \\"wörld\\" 🎉\\n"',
          help: '挨拶',
        },
        { name: 'naïve', type: 'str', default: 'a\nb', defaultSource: "'''a\nb'''", help: '' },
      ]);
    });
  });

  describe('help text and layout', () => {
    it('takes help from the trailing comment, trimmed, and gives empty help without one', () => {
      expect(infer('a = 1  #   the count   \nb = 2').parameters.map((p) => p.help)).toEqual(['the count', '']);
    });

    it('does not take a # inside a string for a comment', () => {
      expect(infer("color = '#ff0000'  # the # colour").parameters).toEqual([
        { name: 'color', type: 'str', default: '#ff0000', defaultSource: "'#ff0000'", help: 'the # colour' },
      ]);
    });

    it('skips blank lines and comment lines, and does not use a comment line above as help', () => {
      // Prepare
      const source = '# Parameters\n\n# the alpha\nalpha = 0.1\n\n   \n# end';

      // Act
      const inference = infer(source);

      // Assess
      expect(inference.problems).toEqual([]);
      expect(inference.parameters).toEqual([
        { name: 'alpha', type: 'float', default: 0.1, defaultSource: '0.1', help: '' },
      ]);
    });

    it('reads a value spread over lines, with help from the comment on its last line', () => {
      // Prepare
      const source = "columns = [\n    'id',  # key\n    'name',\n]  # columns to keep\nnext_one = 1";

      // Act
      const { parameters } = infer(source);

      // Assess
      expect(parameters[0]).toEqual({
        name: 'columns',
        type: 'list',
        default: ['id', 'name'],
        defaultSource: "[\n    'id',  # key\n    'name',\n]",
        help: 'columns to keep',
      });
      expect(parameters[1]?.name).toBe('next_one');
    });

    it('reads values continued with a backslash and CRLF line ends', () => {
      expect(infer("a = \\\r\n  'x'  # the a\r\nb = 2\r\n").parameters.map((p) => [p.name, p.default, p.help])).toEqual(
        [
          ['a', 'x', 'the a'],
          ['b', 2, ''],
        ],
      );
    });

    it('reads statements separated by semicolons, giving the comment to the last', () => {
      expect(infer('a = 1; b = 2  # the b').parameters.map((p) => [p.name, p.help])).toEqual([
        ['a', ''],
        ['b', 'the b'],
      ]);
    });

    it('lets a later assignment of a name replace the earlier one in place', () => {
      // Prepare
      const source = "mode = 'fast'  # first\nlevel = 1\nmode = 'slow'  # second";

      // Act
      const { parameters } = infer(source);

      // Assess
      expect(parameters.map((p) => [p.name, p.default, p.help])).toEqual([
        ['mode', 'slow', 'second'],
        ['level', 1, ''],
      ]);
    });

    it('drops a parameter whose later assignment is not a literal, and says so', () => {
      // Prepare
      const source = 'rows = 10\nrows = rows * 2';

      // Act
      const { parameters, problems } = infer(source);

      // Assess
      expect(parameters).toEqual([]);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.reason).toContain('`rows` is no longer a parameter');
    });
  });

  describe('problems', () => {
    const problemOf = (source: string) => {
      const { parameters, problems } = infer(source);
      expect(parameters).toEqual([]);
      expect(problems).toHaveLength(1);
      return problems[0]!;
    };

    it('reports the 1-based line, the text and a reason for each statement that is not a parameter', () => {
      // Prepare
      const source = '# setup\nimport os\nx = 1\ny = foo()  # computed';

      // Act
      const { parameters, problems } = infer(source);

      // Assess
      expect(parameters.map((p) => p.name)).toEqual(['x']);
      expect(problems).toEqual([
        { line: 2, text: 'import os', reason: 'an import is not a parameter; move imports to another cell' },
        {
          line: 4,
          text: 'y = foo()  # computed',
          reason: expect.stringContaining('the value is not a literal: `foo(…)` is a call'),
        },
      ]);
    });

    it('explains non-literal values', () => {
      expect(problemOf('x = np.nan').reason).toContain('attribute');
      expect(problemOf('x = 60 * 60').reason).toContain('operator');
      expect(problemOf('x = other').reason).toContain('`other` is a name');
      expect(problemOf("x = f'{y}'").reason).toContain('f-string');
      expect(problemOf('x = {1: 2}').reason).toContain('dict keys must be strings');
      expect(problemOf('x =').reason).toBe('nothing follows `=`');
    });

    it('explains assignments that do not bind one plain name', () => {
      expect(problemOf('a, b = 1, 2').reason).toContain('unpacks into several names');
      expect(problemOf('(a, b) = 1, 2').reason).toContain('unpacks into several names');
      expect(problemOf('a = b = 1').reason).toContain('chained assignment');
      expect(problemOf('n += 1').reason).toContain('augmented assignment');
      expect(problemOf('obj.attr = 1').reason).toContain('attribute or an item');
      expect(problemOf('d["k"] = 1').reason).toContain('attribute or an item');
      expect(problemOf('t: int').reason).toContain('declares a type but gives no value');
    });

    it('refuses names that are not identifiers or are keywords', () => {
      expect(problemOf('class = 1').reason).toBe('`class` is a Python keyword and cannot be a parameter name');
      expect(problemOf('None = 1').reason).toContain('keyword');
      expect(problemOf('my-var = 1').reason).toBe('`my-var` is not a Python identifier');
      expect(problemOf('1x = 1').reason).toBe('`1x` is not a Python identifier');
      expect(problemOf('$x = 1').reason).toBe('`$x` is not a Python identifier');
    });

    it('explains calls, definitions, compound statements, magics and docstrings', () => {
      expect(problemOf('print(x)').reason).toContain('`print(…)` is a call');
      expect(problemOf('def f():\n    return 1').reason).toContain('definition');
      expect(problemOf('@cache\ndef f():\n    return 1').reason).toContain('definition');
      expect(problemOf('if debug:\n    x = 1\nelse:\n    x = 2').reason).toContain('compound `if`');
      expect(problemOf('%matplotlib inline').reason).toContain('magic');
      expect(problemOf('!pip install pandas').reason).toContain('shell');
      expect(problemOf('"""The parameters."""').reason).toContain('docstring');
      expect(problemOf('  x = 1').reason).toContain('indented');
    });

    it('keeps a whole block with its header as one problem', () => {
      // Prepare
      const source = 'for i in range(3):\n    total = i\n\nafter = 1';

      // Act
      const { parameters, problems } = infer(source);

      // Assess
      expect(problems).toEqual([
        { line: 1, text: 'for i in range(3):\n    total = i', reason: expect.stringContaining('compound `for`') },
      ]);
      expect(parameters.map((p) => p.name)).toEqual(['after']);
    });

    it('reports an unterminated string and goes on with the next line', () => {
      // Prepare
      const source = "name = 'unfinished\nlimit = 5";

      // Act
      const { parameters, problems } = infer(source);

      // Assess
      expect(problems).toEqual([
        { line: 1, text: "name = 'unfinished", reason: expect.stringContaining('unterminated string') },
      ]);
      expect(parameters.map((p) => p.name)).toEqual(['limit']);
    });

    it('never throws, whatever the cell holds', () => {
      const sources = [
        '[[[[',
        ')))',
        '"""',
        `x = [${'['.repeat(10_000)}`,
        '\\',
        'x = (1,\n',
        '= 1',
        ';;',
        'x: = 1',
        '\u0000\uFFFF',
      ];
      for (const source of sources) expect(() => infer(source)).not.toThrow();
    });
  });
});
