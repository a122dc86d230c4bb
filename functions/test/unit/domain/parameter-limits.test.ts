import { describe, expect, it } from 'vitest';
import { limitInference, PARAMETER_LIMITS } from '../../../src/domain/parameter-limits.ts';
import type { Parameter } from '../../../src/domain/parameters.ts';

const param = (over: Partial<Parameter>): Parameter => ({
  name: 'x',
  type: 'str',
  default: 'a',
  defaultSource: "'a'",
  help: '',
  ...over,
});

describe('limitInference', () => {
  it('keeps ordinary parameters exactly as inferred', () => {
    const inference = {
      cellIndex: 1,
      parameters: [param({}), param({ name: 'y', type: 'int', default: 3, defaultSource: '3', help: 'how many' })],
      problems: [],
    };
    expect(limitInference(inference)).toEqual(inference);
  });

  it('cuts a default too long to record and says so', () => {
    const long = 'z'.repeat(300_000);
    const [limited] = limitInference({
      cellIndex: 0,
      parameters: [param({ default: long, defaultSource: `'${long}'` })],
      problems: [],
    }).parameters;
    expect(limited).toMatchObject({ name: 'x', type: 'str', default: null, truncated: true });
    expect(limited!.defaultSource.length).toBe(PARAMETER_LIMITS.sourceChars);
  });

  it('cuts a default nested deeper than DynamoDB can store', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i += 1) deep = [deep];
    const [limited] = limitInference({
      cellIndex: 0,
      parameters: [param({ type: 'list', default: deep, defaultSource: '[[…]]' })],
      problems: [],
    }).parameters;
    expect(limited).toMatchObject({ default: null, truncated: true });
  });

  it('records at most the first parameters and problems, and notes what it left out', () => {
    const parameters = Array.from({ length: 250 }, (_, i) => param({ name: `p${i}` }));
    const problems = Array.from({ length: 80 }, (_, i) => ({
      line: i + 1,
      text: 'import os',
      reason: 'not an assignment',
    }));
    const limited = limitInference({ cellIndex: 0, parameters, problems });
    expect(limited.parameters).toHaveLength(PARAMETER_LIMITS.parameters);
    expect(limited.problems).toHaveLength(PARAMETER_LIMITS.problems + 1);
    expect(limited.problems.at(-1)?.reason).toContain('50 more parameters');
  });
});
