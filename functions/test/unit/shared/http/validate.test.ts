import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../../../../src/shared/http/validate.ts';
import type { ApiEvent } from '../../../../src/shared/http/http-handler.ts';

const eventWith = (body: string) => ({ body, isBase64Encoded: false }) as ApiEvent;

describe('parseJsonBody', () => {
  it('keeps an integer past 2^53 exact while the other numbers of the same body stay numbers', () => {
    // Prepare
    const event = eventWith('{"version": 2, "timeoutSeconds": 600, "parameters": {"big": 18446744073709551617, "small": 3, "ratio": 0.5}}');

    // Act
    const body = parseJsonBody(event) as { version: unknown; timeoutSeconds: unknown; parameters: Record<string, unknown> };

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
});
