import { describe, expect, it } from 'vitest';
import {
  checkParameterNames,
  checkParameterValues,
  PARAMETER_VALUE_LIMITS,
  toPapermillJson,
} from '../../../src/domain/parameter-values.ts';
import type { TypedValue } from '../../../src/domain/typed-values.ts';
import type { Parameter, ParameterInference, ParameterType } from '../../../src/domain/parameters.ts';
import { rejection } from '../../support/rejection.ts';

const param = (name: string, type: ParameterType): Parameter => ({
  name,
  type,
  default: null,
  defaultSource: 'None',
  help: '',
});

const inference = (...parameters: Parameter[]): ParameterInference => ({ cellIndex: 0, parameters, problems: [] });

const NOTEBOOK = inference(
  param('days', 'int'),
  param('threshold', 'float'),
  param('region', 'str'),
  param('dry_run', 'bool'),
  param('products', 'list'),
  param('limits', 'dict'),
  param('note', 'None'),
);

const strict = { allowUnknown: false };

describe('checkParameterValues', () => {
  it('types each value as its parameter expects', () => {
    // Prepare
    const values = {
      days: 7,
      threshold: 0.25,
      region: 'eu-west-1',
      dry_run: true,
      products: ['a'],
      limits: { a: 1 },
      note: 'hi',
    };

    // Act
    const typed = checkParameterValues(NOTEBOOK, values, strict);

    // Assess
    expect(typed).toEqual({
      days: { type: 'int', value: 7n },
      threshold: { type: 'float', value: 0.25 },
      region: { type: 'str', value: 'eu-west-1' },
      dry_run: { type: 'bool', value: true },
      products: { type: 'list', items: [{ type: 'str', value: 'a' }] },
      limits: { type: 'dict', entries: [['a', { type: 'int', value: 1n }]] },
      note: { type: 'str', value: 'hi' },
    });
  });

  it('keeps ints beyond 2^53 and 2^63 exact when they arrive as bigint', () => {
    // Prepare
    const big = 2n ** 63n + 1n;

    // Act
    const typed = checkParameterValues(NOTEBOOK, { days: big, products: [-(2n ** 64n)] }, strict);

    // Assess
    expect(typed.days).toEqual({ type: 'int', value: big });
    expect(typed.products).toEqual({ type: 'list', items: [{ type: 'int', value: -(2n ** 64n) }] });
  });

  it('makes an integral number sent for a float parameter a float, and reads nan and infinity spelled as strings', () => {
    // Prepare
    const spellings = ['nan', 'NaN', 'inf', 'Infinity', '+inf', '-inf', '-Infinity', 'INF'];

    // Act
    const floats = spellings.map((text) => checkParameterValues(NOTEBOOK, { threshold: text }, strict).threshold);
    const five = checkParameterValues(NOTEBOOK, { threshold: 5 }, strict).threshold;
    const negativeZero = checkParameterValues(NOTEBOOK, { threshold: -0 }, strict).threshold;

    // Assess
    expect(floats.map((f) => (f?.type === 'float' ? f.value : undefined))).toEqual([
      NaN,
      NaN,
      Infinity,
      Infinity,
      Infinity,
      -Infinity,
      -Infinity,
      Infinity,
    ]);
    expect(five).toEqual({ type: 'float', value: 5 });
    expect(negativeZero?.type === 'float' && Object.is(negativeZero.value, -0)).toBe(true);
  });

  it('infers types inside lists and dicts from the JSON values', () => {
    // Prepare
    const values = { products: [1, 2.5, -0, 1e20, 3n ** 50n, 'x', false, null, [], { k: [1] }] };

    // Act
    const typed = checkParameterValues(NOTEBOOK, values, strict).products;

    // Assess
    expect(typed).toEqual({
      type: 'list',
      items: [
        { type: 'int', value: 1n },
        { type: 'float', value: 2.5 },
        { type: 'float', value: -0 },
        { type: 'float', value: 1e20 },
        { type: 'int', value: 3n ** 50n },
        { type: 'str', value: 'x' },
        { type: 'bool', value: false },
        { type: 'None' },
        { type: 'list', items: [] },
        { type: 'dict', entries: [['k', { type: 'list', items: [{ type: 'int', value: 1n }] }]] },
      ],
    });
  });

  it('accepts null for any parameter as None, as papermill does', () => {
    // Act
    const typed = checkParameterValues(NOTEBOOK, { days: null, region: null, limits: null }, strict);

    // Assess
    expect(typed).toEqual({ days: { type: 'None' }, region: { type: 'None' }, limits: { type: 'None' } });
  });

  it('collects every wrong value into one error naming the parameter, the expected type and what came', () => {
    // Prepare
    const values = { days: 'seven', threshold: '0.5', region: 3, dry_run: 'yes', products: { a: 1 }, limits: [1] };

    // Act
    const error = rejection(() => checkParameterValues(NOTEBOOK, values, strict));

    // Assess
    expect(error.code).toBe('invalid_parameters');
    expect(error.details).toEqual([
      { path: 'parameters.days', message: "expected int, got string 'seven'" },
      {
        path: 'parameters.threshold',
        message: "expected float, got string '0.5' (for NaN or infinity send 'nan', 'inf' or '-inf')",
      },
      { path: 'parameters.region', message: 'expected str, got number 3' },
      { path: 'parameters.dry_run', message: "expected bool, got string 'yes'" },
      { path: 'parameters.products', message: 'expected list, got object' },
      { path: 'parameters.limits', message: 'expected dict, got list of 1 item' },
    ]);
    expect(error.message).toContain("parameters.days: expected int, got string 'seven'");
  });

  it('refuses booleans, fractions and floats beyond 2^53 for an int, saying how to send a big int', () => {
    // Act
    const messages = [true, 3.5, 1e20].map(
      (days) => rejection(() => checkParameterValues(NOTEBOOK, { days }, strict)).details?.[0]?.message,
    );

    // Assess
    expect(messages[0]).toBe('expected int, got boolean true');
    expect(messages[1]).toBe('expected int, got number 3.5');
    expect(messages[2]).toContain('beyond 2^53 send the int as plain JSON digits');
  });

  it('rounds a bigint sent for a float as float() would, and refuses one beyond the largest double', () => {
    // Act
    const rounded = checkParameterValues(NOTEBOOK, { threshold: 2n ** 53n + 1n }, strict).threshold;
    const error = rejection(() => checkParameterValues(NOTEBOOK, { threshold: 10n ** 400n }, strict));

    // Assess
    expect(rounded).toEqual({ type: 'float', value: 2 ** 53 });
    expect(error.details?.[0]?.message).toBe('expected float, got number with 401 digits (too large for a float)');
  });

  it('rejects unknown names and lists the known ones', () => {
    // Act
    const error = rejection(() =>
      checkParameterValues(inference(param('a', 'int'), param('b', 'str')), { c: 1, d: 2 }, strict),
    );

    // Assess
    expect(error.details).toEqual([
      { path: 'parameters.c', message: 'not a parameter of this notebook; known: a, b' },
      { path: 'parameters.d', message: 'not a parameter of this notebook; known: a, b' },
    ]);
  });

  it('takes unknown names when the caller allows them, typed from the JSON value', () => {
    // Act
    const typed = checkParameterValues(inference(), { extra: 2.5, count: 3, label: null }, { allowUnknown: true });

    // Assess
    expect(typed).toEqual({
      extra: { type: 'float', value: 2.5 },
      count: { type: 'int', value: 3n },
      label: { type: 'None' },
    });
  });

  it('refuses strings and keys holding a lone surrogate, which no kernel can hold as text', () => {
    // Act
    const error = rejection(() =>
      checkParameterValues(NOTEBOOK, { region: 'a\ud800', limits: { '\udc00': 1 }, note: '😀 is fine' }, strict),
    );

    // Assess
    expect(error.details?.map((d) => d.path)).toEqual(['parameters.region', 'parameters.limits["\\udc00"]']);
  });

  it('refuses values nested deeper than the limit and values too large in all', () => {
    // Prepare
    let deep: unknown = 1;
    for (let i = 0; i <= PARAMETER_VALUE_LIMITS.depth; i += 1) deep = [deep];
    const large = 'x'.repeat(PARAMETER_VALUE_LIMITS.jsonChars);

    // Act
    const tooDeep = rejection(() => checkParameterValues(NOTEBOOK, { products: deep }, strict));
    const tooLarge = rejection(() => checkParameterValues(NOTEBOOK, { region: large }, strict));

    // Assess
    expect(tooDeep.details?.[0]?.message).toBe(
      `nested deeper than ${PARAMETER_VALUE_LIMITS.depth} levels of lists and objects`,
    );
    expect(tooLarge.details).toEqual([{ path: 'parameters', message: expect.stringContaining('too large') }]);
  });

  it('refuses values JSON cannot carry, such as class instances and undefined', () => {
    // Act
    const error = rejection(() => checkParameterValues(NOTEBOOK, { note: new Date(0), products: [undefined] }, strict));

    // Assess
    expect(error.details).toEqual([
      { path: 'parameters.note', message: 'got an instance of Date, which JSON cannot carry' },
      { path: 'parameters.products[0]', message: 'got undefined' },
    ]);
  });

  it('keeps a parameter named __proto__ as a parameter instead of a prototype', () => {
    // Prepare
    const values = JSON.parse('{"__proto__": 1}') as Record<string, unknown>;

    // Act
    const typed = checkParameterValues(inference(), values, { allowUnknown: true });

    // Assess
    expect(Object.keys(typed)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(typed)).toBe(Object.prototype);
  });
});

describe('checkParameterNames', () => {
  it('accepts identifiers of the language, soft keywords included', () => {
    // Act
    const act = () => checkParameterNames('python', ['days', '_private', 'match', 'type', 'größe']);

    // Assess
    expect(act).not.toThrow();
  });

  it('lists every name that is not an identifier or is a keyword', () => {
    // Act
    const error = rejection(() => checkParameterNames('python', ['ok', 'class', '1st', 'a; import os', 'x\ny']));

    // Assess
    expect(error.details?.map((d) => d.path)).toEqual([
      'parameters.class',
      'parameters.1st',
      'parameters["a; import os"]',
      'parameters["x\\ny"]',
    ]);
    expect(error.details?.[0]?.message).toContain("'class' is not a python identifier, or is a reserved word");
  });

  it('refuses every name for a language it does not know, listing the known ones', () => {
    // Act
    const error = rejection(() => checkParameterNames('cobol', ['a']));

    // Assess
    expect(error.code).toBe('unsupported_language');
    expect(error.message).toContain('python, python3, r, julia, scala, bash, sh');
  });
});

describe('toPapermillJson', () => {
  it('writes big ints as decimal strings and the special floats as nan and inf', () => {
    // Prepare
    const value: TypedValue = {
      type: 'dict',
      entries: [
        ['small', { type: 'int', value: 5n }],
        ['big', { type: 'int', value: 2n ** 64n }],
        [
          'floats',
          {
            type: 'list',
            items: [NaN, Infinity, -Infinity, 0.5].map((n): TypedValue => ({ type: 'float', value: n })),
          },
        ],
        ['none', { type: 'None' }],
        ['flag', { type: 'bool', value: true }],
      ],
    };

    // Act
    const json = toPapermillJson(value);

    // Assess
    expect(json).toEqual({
      small: 5,
      big: '18446744073709551616',
      floats: ['nan', 'inf', '-inf', 0.5],
      none: null,
      flag: true,
    });
  });
});
