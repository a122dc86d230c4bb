import { describe, expect, it } from 'vitest';
import { ApiError } from './api-client.ts';
import { canRetry, isNotFound } from './error-kinds.ts';

const badId = new ApiError(400, 'validation_failed', "path.id: must be a run id such as 'run-0123abcd…'", 'r1', [
  { path: 'path.id', message: "must be a run id such as 'run-0123abcd…'" },
]);

describe('isNotFound', () => {
  it('takes a 404, and a 400 about the address alone, as nothing to show there', () => {
    expect(isNotFound(new ApiError(404, 'not_found', 'run run-1 not found'))).toBe(true);
    expect(isNotFound(badId)).toBe(true);
  });

  it('leaves a 400 about the body or query, a 400 without details, and other statuses as errors', () => {
    const body = new ApiError(400, 'validation_failed', 'x', null, [
      { path: 'path.id', message: 'm' },
      { path: 'body.title', message: 'm' },
    ]);
    expect(isNotFound(body)).toBe(false);
    expect(isNotFound(new ApiError(400, 'validation_failed', 'x'))).toBe(false);
    expect(isNotFound(new ApiError(403, 'forbidden', 'x'))).toBe(false);
    expect(isNotFound(new Error('offline'))).toBe(false);
  });
});

describe('canRetry', () => {
  it('offers no retry for a 4xx, which would answer the same again', () => {
    expect([400, 403, 404, 409, 422].map((s) => canRetry(new ApiError(s, 'x', 'x')))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(canRetry(badId)).toBe(false);
  });

  it('offers a retry for a timeout, throttling, a 5xx and a network failure', () => {
    expect([408, 429, 500, 503].map((s) => canRetry(new ApiError(s, 'x', 'x')))).toEqual([true, true, true, true]);
    expect(canRetry(new TypeError('Failed to fetch'))).toBe(true);
  });
});
