import { describe, expect, it } from 'vitest';
import { checkParameterValues } from '../../functions/src/domain/parameter-values.ts';
import type { ParameterInference } from '../../functions/src/domain/parameters.ts';
import { parseExactJson } from '../../functions/src/http/validate.ts';
import {
  fieldErrorsFromApi,
  fieldsFor,
  initialValues,
  readValues,
  toRequestParameters,
  type InferredParameter,
} from './parameter-form.ts';

// The parameters of functions/test/fixtures/parameters-basic.ipynb as the API lists them.
const BASIC: InferredParameter[] = [
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
  { name: 'note', type: 'None', default: null, defaultSource: 'None', help: 'optional note for the report header' },
];

const inference = (parameters: InferredParameter[]): ParameterInference => ({
  cellIndex: 1,
  problems: [],
  parameters: parameters.map(({ truncated, ...p }) => ({
    ...p,
    type: p.type as 'int',
    ...(truncated ? { truncated: true as const } : {}),
  })),
});

// A request body as JSON text with the form's raw parameter texts spliced in, as the browser's JSON.stringify
// with JSON.rawJSON writes it (Node 20 has no JSON.rawJSON); omits `parameters` when there are none.
const parametersJson = (body: Record<string, unknown>, parameters: Record<string, string>): string => {
  const rest = JSON.stringify(body);
  const entries = Object.entries(parameters);
  if (entries.length === 0) return rest;
  const object = `{${entries.map(([name, json]) => `${JSON.stringify(name)}:${json}`).join(',')}}`;
  return rest === '{}' ? `{"parameters":${object}}` : `{"parameters":${object},${rest.slice(1)}`;
};

/** Sends a form's parameters through the API's own exact parser and checker, as a run request would. */
const asTheApiTypesThem = (parameters: InferredParameter[], raw: Record<string, string>) => {
  const body = parseExactJson(parametersJson({ profile: 'cpu-small' }, raw)) as { parameters: Record<string, unknown> };
  return checkParameterValues(inference(parameters), body.parameters, { allowUnknown: false });
};

describe('fieldsFor', () => {
  it('draws number inputs for ints and floats, a checkbox for bools, text for str and JSON text for the rest', () => {
    // Prepare
    // Act
    const fields = fieldsFor(BASIC);
    // Assess
    expect(fields.map((f) => [f.name, f.input, f.step, f.initial])).toEqual([
      ['region', 'text', undefined, 'eu-west-1'],
      ['days', 'number', '1', '7'],
      ['threshold', 'number', 'any', '0.25'],
      ['dry_run', 'checkbox', undefined, false],
      ['products', 'textarea', undefined, '["widget","gadget"]'],
      ['limits', 'textarea', undefined, '{"widget":100,"gadget":50}'],
      ['note', 'text', undefined, 'null'],
    ]);
    expect(fields[1]!.help).toBe('how many days to look back');
    expect(fields[1]!.hint).toMatch(/whole number/);
  });

  it('starts a rerun from the earlier run’s values, big ints and nan included', () => {
    // Prepare
    const params: InferredParameter[] = [
      { name: 'big', type: 'int', default: 1, defaultSource: '1', help: '' },
      { name: 'ratio', type: 'float', default: 0.5, defaultSource: '0.5', help: '' },
      { name: 'days', type: 'int', default: 7, defaultSource: '7', help: '' },
      { name: 'nested', type: 'dict', default: {}, defaultSource: '{}', help: '' },
    ];
    // Act
    const fields = fieldsFor(params, {
      big: '18446744073709551617',
      ratio: 'nan',
      nested: { k: [1, '12345678901234567890'] },
    });
    // Assess
    expect(fields.map((f) => [f.name, f.initial, f.input])).toEqual([
      ['big', '18446744073709551617', 'number'],
      ['ratio', 'nan', 'text'],
      ['days', '7', 'number'],
      ['nested', '{"k":[1,"12345678901234567890"]}', 'textarea'],
    ]);
    expect(fields[3]!.hint).toMatch(/earlier run’s value as recorded/);
    expect(fields[2]!.hint).not.toMatch(/earlier run/);
  });

  it('warns when a container default holds values JSON cannot show exactly', () => {
    // Prepare
    const params: InferredParameter[] = [
      { name: 'weights', type: 'list', default: [1, 2.5], defaultSource: '[1.0, 2.5]', help: '' },
      { name: 'names', type: 'list', default: ['1.0'], defaultSource: "['1.0']", help: '' },
    ];
    // Act
    const [weights, names] = fieldsFor(params);
    // Assess
    expect(weights!.hint).toMatch(/\[1\.0, 2\.5\].*decimal point/);
    expect(names!.hint).not.toMatch(/decimal point/);
  });

  it('leaves a truncated default empty and says how to keep it', () => {
    // Prepare
    const params: InferredParameter[] = [
      { name: 'x', type: 'str', default: null, defaultSource: "'zzz", help: 'big', truncated: true },
    ];
    // Act
    const [field] = fieldsFor(params);
    const read = readValues([field!], initialValues([field!]));
    // Assess
    expect(field!.initial).toBe('');
    expect(field!.hint).toMatch(/too long to show/);
    expect(read).toEqual({ parameters: {}, errors: {} });
  });
});

describe('readValues', () => {
  it('sends nothing when nothing changed, so the notebook’s defaults stand', () => {
    // Prepare
    const fields = fieldsFor(BASIC);
    // Act
    const read = readValues(fields, {
      ...initialValues(fields),
      days: '007',
      limits: '{ "widget": 100,\n  "gadget": 50 }',
    });
    // Assess
    expect(read).toEqual({ parameters: {}, errors: {} });
  });

  it('sends only the changed fields, typed exactly as the API reads them', () => {
    // Prepare
    const fields = fieldsFor(BASIC);
    const values = {
      ...initialValues(fields),
      region: 'us-east-1',
      days: '18446744073709551617',
      threshold: '1',
      dry_run: true,
      products: '[1.0, "x"]',
      note: '"hello"',
    };
    // Act
    const read = readValues(fields, values);
    const typed = asTheApiTypesThem(BASIC, read.parameters);
    // Assess
    expect(read.errors).toEqual({});
    expect(Object.keys(read.parameters)).toEqual(['region', 'days', 'threshold', 'dry_run', 'products', 'note']);
    expect(typed).toEqual({
      region: { type: 'str', value: 'us-east-1' },
      days: { type: 'int', value: 18446744073709551617n },
      threshold: { type: 'float', value: 1 },
      dry_run: { type: 'bool', value: true },
      products: {
        type: 'list',
        items: [
          { type: 'float', value: 1 },
          { type: 'str', value: 'x' },
        ],
      },
      note: { type: 'str', value: 'hello' },
    });
  });

  it('keeps the sign of -0.0 and reads nan and infinity for floats', () => {
    // Prepare
    const params: InferredParameter[] = ['a', 'b', 'c', 'd'].map((name) => ({
      name,
      type: 'float',
      default: 0.5,
      defaultSource: '0.5',
      help: '',
    }));
    const fields = fieldsFor(params);
    // Act
    const read = readValues(fields, { a: '-0', b: 'NaN', c: '-Infinity', d: '2e3' });
    const typed = asTheApiTypesThem(params, read.parameters);
    // Assess
    expect(read.parameters).toEqual({ a: '-0.0', b: '"nan"', c: '"-inf"', d: '2000.0' });
    expect(Object.is(typed.a!.type === 'float' && typed.a!.value, -0)).toBe(true);
    expect(typed.b).toEqual({ type: 'float', value: Number.NaN });
    expect(typed.c).toEqual({ type: 'float', value: -Infinity });
    expect(typed.d).toEqual({ type: 'float', value: 2000 });
  });

  it('explains each bad field beside it and sends none of them', () => {
    // Prepare
    const fields = fieldsFor(BASIC);
    const values = {
      ...initialValues(fields),
      days: '2.5',
      threshold: 'lots',
      products: '{"a": 1}',
      limits: "{'a': 1}",
      note: '',
    };
    // Act
    const read = readValues(fields, values);
    // Assess
    expect(read.parameters).toEqual({});
    expect(read.errors.days).toMatch(/whole number/);
    expect(read.errors.threshold).toMatch(/must be a number/i);
    expect(read.errors.products).toBe('Must be a JSON list.');
    expect(read.errors.limits).toMatch(/Not valid JSON.*double quotes/);
    expect(read.errors.note).toMatch(/JSON value/);
  });

  it('refuses an int typed into an emptied number field and a float past the largest double', () => {
    // Prepare
    const fields = fieldsFor(BASIC);
    // Act
    const read = readValues(fields, { ...initialValues(fields), days: '', threshold: '1e400' });
    // Assess
    expect(read.errors).toEqual({
      days: 'Enter a whole number.',
      threshold: 'Too large for a float; write inf if you mean infinity.',
    });
  });

  it('lets null replace a list, as papermill lets None replace any parameter', () => {
    // Prepare
    const fields = fieldsFor(BASIC);
    // Act
    const read = readValues(fields, { ...initialValues(fields), products: 'null' });
    // Assess
    expect(read.parameters).toEqual({ products: 'null' });
    expect(asTheApiTypesThem(BASIC, read.parameters).products).toEqual({ type: 'None' });
  });
});

describe('the test helper parametersJson', () => {
  it('splices raw parameter texts into the body and leaves them out when there are none', () => {
    // Prepare
    const body = { profile: 'cpu-small', timeoutSeconds: 600 };
    // Act
    const withParameters = parametersJson(body, { big: '18446744073709551617', 'odd"name': '1.0' });
    const without = parametersJson(body, {});
    const onlyParameters = parametersJson({}, { a: '1' });
    // Assess
    expect(withParameters).toBe(
      '{"parameters":{"big":18446744073709551617,"odd\\"name":1.0},"profile":"cpu-small","timeoutSeconds":600}',
    );
    expect(without).toBe('{"profile":"cpu-small","timeoutSeconds":600}');
    expect(onlyParameters).toBe('{"parameters":{"a":1}}');
  });
});

describe('toRequestParameters', () => {
  it('wraps each number in JSON.rawJSON of its source text where the engine gives the source', () => {
    // Prepare
    // Stands in for an engine with source text access: the reviver gets each number's text as written.
    const engine = {
      parse: (text: string, reviver?: (key: string, value: unknown, context?: { source: string }) => unknown) =>
        reviver!('big', Number(text), { source: text }),
      rawJSON: (text: string) => ({ rawJSON: text }),
    };
    // Act
    const values = toRequestParameters({ big: '18446744073709551617', ratio: '1.0' }, engine as never);
    // Assess
    expect(values).toEqual({ big: { rawJSON: '18446744073709551617' }, ratio: { rawJSON: '1.0' } });
  });

  it('falls back to plain JSON values where the engine has no JSON.rawJSON', () => {
    // Prepare
    const engine = { parse: JSON.parse };
    // Act
    const values = toRequestParameters(
      { region: '"us-east-1"', limits: '{"a":[1,2.5]}', flag: 'true', note: 'null' },
      engine,
    );
    // Assess
    expect(values).toEqual({ region: 'us-east-1', limits: { a: [1, 2.5] }, flag: true, note: null });
  });
});

describe('fieldErrorsFromApi', () => {
  it('puts each problem the API names beside its field and keeps the rest general', () => {
    // Prepare
    const error = {
      message: 'x',
      details: [
        { path: 'parameters.days', message: "expected int, got string 'many'" },
        { path: 'parameters["odd name"]', message: 'not a parameter of this notebook; known: days' },
        { path: 'parameters.limits["a"]', message: 'nested deeper than 16 levels' },
        { path: 'body.timeoutSeconds', message: 'must be at least 10 seconds' },
        { path: 'parameters.gone', message: 'not a parameter of this notebook; known: days' },
      ],
    };
    // Act
    const placed = fieldErrorsFromApi(error, ['days', 'odd name', 'limits', 'timeoutSeconds']);
    // Assess
    expect(placed.fields).toEqual({
      days: "expected int, got string 'many'",
      'odd name': 'not a parameter of this notebook; known: days',
      limits: '["a"]: nested deeper than 16 levels',
      timeoutSeconds: 'must be at least 10 seconds',
    });
    expect(placed.general).toEqual(['parameters.gone: not a parameter of this notebook; known: days']);
  });

  it('reads the fields from the message when the error carries no details', () => {
    // Prepare
    const error = {
      message:
        "parameters.big: expected int, got string 'many'; " +
        'parameters.unknown_one: not a parameter of this notebook; known: big, text',
    };
    // Act
    const placed = fieldErrorsFromApi(error, ['big', 'text']);
    // Assess
    expect(placed.fields).toEqual({ big: "expected int, got string 'many'" });
    expect(placed.general).toEqual(['parameters.unknown_one: not a parameter of this notebook; known: big, text']);
  });
});
