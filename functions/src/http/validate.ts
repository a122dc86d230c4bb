import { isSafeNumber, parse, parseNumberAndBigInt } from 'lossless-json';
import type { z } from 'zod';
import { FloatLiteral } from '../domain/typed-values.ts';
import { ValidationError } from '../domain/errors.ts';
import type { ApiEvent } from './api-event.ts';
import { checkJsonShape } from './json-shape.ts';

const pathOf = (where: string, path: PropertyKey[]): string =>
  path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${String(part)}`), where);

/** Validates one part of a request; a failure is a 400 naming each field and what to fix. */
export const validate = <T extends z.ZodType>(
  where: 'body' | 'query' | 'path',
  schema: T,
  value: unknown,
): z.output<T> => {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues
    .slice(0, 20)
    .map((issue) => ({ path: pathOf(where, issue.path), message: issue.message }));
  throw new ValidationError(details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
};

// Integer text stays exact (bigint past 2^53); text with a fraction or exponent stays a float even when whole.
const exactNumber = (text: string): unknown =>
  /[.eE]/.test(text) ? new FloatLiteral(Number(text)) : parseNumberAndBigInt(text);

const malformed = (err: unknown) => {
  const detail = [{ path: 'body', message: 'malformed JSON' }];
  return new ValidationError(`the body is not valid JSON: ${(err as Error).message}`, detail, 'invalid_json');
};

// JSON.parse is not recursive, so it takes any depth; the shape check then runs on text known to be JSON.
const acceptedJson = (text: string): unknown => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw malformed(err);
  }
  checkJsonShape(text);
  return value;
};

/**
 * Parses JSON keeping every number exactly as written (for parameter values: `1.0` is a float, `2**64` an int).
 * Repeated keys and deep nesting are a 400 before the (recursive) parser sees them.
 */
export const parseExactJson = (text: string): unknown => {
  acceptedJson(text);
  try {
    return parse(text, null, exactNumber);
  } catch (err) {
    throw malformed(err);
  }
};

/** The body of an event as text. */
export const rawBody = (event: ApiEvent): string =>
  event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');

const wideInteger = (text: string): unknown =>
  /^-?\d+$/.test(text) && !isSafeNumber(text) ? BigInt(text) : Number(text);

/**
 * Parses the JSON body of an event: malformed JSON, a key repeated in one object, or nesting deeper than
 * MAX_JSON_DEPTH is a 400 that says where.
 */
export const parseJsonBody = (event: ApiEvent): unknown => {
  if (!event.body) throw new ValidationError('send a JSON body with Content-Type: application/json');
  const text = rawBody(event);
  const value = acceptedJson(text);
  if (!/\d{16,}/.test(text)) return value;
  try {
    // Integers past 2^53 must reach run parameters exactly; only then is the slower lossless parser needed,
    // and only those become bigints, so the body's ordinary numbers (version, timeoutSeconds) stay numbers.
    return parse(text, null, wideInteger);
  } catch (err) {
    throw malformed(err);
  }
};
