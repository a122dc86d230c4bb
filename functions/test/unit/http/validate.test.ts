import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import { MAX_JSON_DEPTH } from '../../../src/http/json-shape.ts';
import { parseExactJson, parseJsonBody } from '../../../src/http/validate.ts';
import type { ApiEvent } from '../../../src/http/api-event.ts';

const eventWith = (body: string) => ({ body, isBase64Encoded: false }) as ApiEvent;

describe('parseJsonBody', () => {
  it('keeps an integer past 2^53 exact while the other numbers of the same body stay numbers', () => {
    // Prepare
    const event = eventWith(
      '{"version": 2, "timeoutSeconds": 600, "parameters": {"big": 18446744073709551617, "small": 3, "ratio": 0.5}}',
    );

    // Act
    const body = parseJsonBody(event) as {
      version: unknown;
      timeoutSeconds: unknown;
      parameters: Record<string, unknown>;
    };

    // Assess
    expect(body.version).toBe(2);
    expect(body.timeoutSeconds).toBe(600);
    expect(body.parameters).toEqual({ big: 18446744073709551617n, small: 3, ratio: 0.5 });
  });

  it('keeps the largest safe integer a number and the next one a bigint', () => {
    // Prepare
    const event = eventWith('{"safe": 9007199254740991, "unsafe": 9007199254740993, "negative": -9007199254740993}');

    // Act
    const body = parseJsonBody(event);

    // Assess
    expect(body).toEqual({ safe: 9007199254740991, unsafe: 9007199254740993n, negative: -9007199254740993n });
  });

  it('refuses malformed JSON with a 400 that says where it broke', () => {
    // Prepare
    const event = eventWith('{"big": 18446744073709551617,');

    // Act
    const parse = () => parseJsonBody(event);

    // Assess
    expect(parse).toThrow(/the body is not valid JSON/);
  });

  it('refuses a key repeated in one object with a 400 naming the object and the key, at any depth', () => {
    // Prepare
    const bodies = {
      '{"parameters": {"a": 1, "a": 2}}': ['body.parameters', 'a'],
      '{"parameters": {"a": 1, "a": 1}}': ['body.parameters', 'a'],
      '{"description": "x", "description": "y"}': ['body', 'description'],
      '{"parameters": {"l": [{"k": 1}, {"k": 2, "\\u006b": 3}]}}': ['body.parameters.l[1]', 'k'],
      '{"big": 18446744073709551617, "big": 1}': ['body', 'big'],
    };

    // Act
    const errors = Object.keys(bodies).map((text) => {
      try {
        parseJsonBody(eventWith(text));
        return null;
      } catch (err) {
        return err as ValidationError;
      }
    });

    // Assess
    for (const [i, [path, key]] of Object.values(bodies).entries()) {
      expect(errors[i]).toBeInstanceOf(ValidationError);
      expect(errors[i]).toMatchObject({
        code: 'duplicate_key',
        message: `${path} has the key "${key}" twice; send each key once`,
      });
    }
  });

  it('takes keys that repeat in different objects, and quotes, braces and escapes inside strings', () => {
    // Prepare
    const text = '{"a": {"k": 1}, "b": {"k": "\\"k\\": {[\\\\"}, "c": [{"k": 1}, {"k": 2}], "d": "}}}]]]"}';

    // Act
    const body = parseJsonBody(eventWith(text));

    // Assess
    expect(body).toEqual(JSON.parse(text));
  });

  it(`takes ${MAX_JSON_DEPTH} levels of nesting and refuses one more with a 400 that says where`, () => {
    // Prepare
    const nested = (levels: number) => `{"v": ${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
    const deepest = nested(MAX_JSON_DEPTH);
    const deeper = nested(MAX_JSON_DEPTH + 1);

    // Act
    const taken = () => parseJsonBody(eventWith(deepest));
    const refused = () => parseJsonBody(eventWith(deeper));

    // Assess
    expect(taken).not.toThrow();
    expect(refused).toThrow(ValidationError);
    expect(refused).toThrow(
      new RegExp(`^body\\.v(\\[0\\]){${MAX_JSON_DEPTH - 1}} is nested too deeply: more than ${MAX_JSON_DEPTH} levels`),
    );
  });

  it('refuses very deep JSON and repeated keys before the exact-number parser, which would overflow or throw', () => {
    // Prepare
    const deep = `{"parameters": {"v": ${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    const repeated = '{"parameters": {"a": 1, "a": 2}}';

    // Act
    const attempts = [deep, repeated].map((text) => () => parseExactJson(text));

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow(ValidationError);
  });
});
