import { ValidationError, type ErrorDetail } from './errors.ts';
import type { ParameterInference, ParameterType } from './parameters.ts';
import { translatorFor } from './translators/registry.ts';
import { parameterPath, shown } from './translators/translator.ts';
import { FloatLiteral, type TypedValue } from './typed-values.ts';

/** Bounds on the values of one run, checked before anything starts. */
export const PARAMETER_VALUE_LIMITS = {
  // The run item records the values; DynamoDB refuses documents nested deeper than 32, so stay well inside.
  depth: 16,
  // Approximate JSON size of all values together, far below DynamoDB's 400 KB item.
  jsonChars: 131_072,
  // Problems listed in one error; the count of the rest is still given.
  problems: 50,
} as const;

const NONE: TypedValue = { type: 'None' };
const SPECIAL_FLOAT = /^(?:(nan)|([+-]?)(?:inf|infinity))$/i;
// In a u-mode regex a well-formed surrogate pair is one code point, so this finds only lone halves.
const LONE_SURROGATE = /\p{Cs}/u;

interface Walk {
  problems: ErrorDetail[];
  chars: number;
}

class TooLarge extends Error {}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

/** Says what came, in JSON's words, for an error message. */
const describe = (value: unknown): string => {
  if (typeof value === 'string') return `string ${shown(value)}`;
  if (typeof value === 'number') return `number ${Object.is(value, -0) ? '-0.0' : String(value)}`;
  if (value instanceof FloatLiteral) return `float ${Object.is(value.value, -0) ? '-0.0' : String(value.value)}`;
  if (typeof value === 'bigint')
    return `number ${value.toString().length > 40 ? `with ${value.toString().length} digits` : value}`;
  if (typeof value === 'boolean') return `boolean ${value}`;
  if (Array.isArray(value)) return `list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (isPlainObject(value)) return 'object';
  if (value === undefined) return 'undefined';
  const kind =
    typeof value === 'object'
      ? `an instance of ${(value as object).constructor?.name ?? 'a class'}`
      : `a ${typeof value}`;
  return `${kind}, which JSON cannot carry`;
};

const problem = (walk: Walk, path: string, message: string): undefined => {
  walk.problems.push({ path, message });
  return undefined;
};

const spend = (walk: Walk, chars: number): void => {
  walk.chars += chars;
  if (walk.chars > PARAMETER_VALUE_LIMITS.jsonChars) throw new TooLarge();
};

const str = (value: string, path: string, walk: Walk): TypedValue | undefined => {
  spend(walk, value.length + 2);
  if (LONE_SURROGATE.test(value))
    return problem(
      walk,
      path,
      `got string ${shown(value)}, which holds a lone UTF-16 surrogate: that is not text any kernel can hold`,
    );
  return { type: 'str', value };
};

/**
 * Types a JSON value as Python's json module would, but exactly: integral numbers and bigints are ints, other numbers
 * floats.
 */
const typed = (value: unknown, path: string, depth: number, walk: Walk): TypedValue | undefined => {
  spend(walk, 4);
  if (value === null) return NONE;
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (value instanceof FloatLiteral) return { type: 'float', value: value.value };
  if (typeof value === 'bigint') {
    spend(walk, value.toString().length);
    return { type: 'int', value };
  }
  // A number beyond 2^53 was written as a float in JSON: integer literals that large arrive as bigint.
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && !Object.is(value, -0)
      ? { type: 'int', value: BigInt(value) }
      : { type: 'float', value };
  if (typeof value === 'string') return str(value, path, walk);
  if (!Array.isArray(value) && !isPlainObject(value)) return problem(walk, path, `got ${describe(value)}`);
  if (depth >= PARAMETER_VALUE_LIMITS.depth)
    return problem(walk, path, `nested deeper than ${PARAMETER_VALUE_LIMITS.depth} levels of lists and objects`);
  if (Array.isArray(value)) {
    const items = value.map((item, i) => typed(item, `${path}[${i}]`, depth + 1, walk));
    return items.every((item) => item !== undefined) ? { type: 'list', items: items as TypedValue[] } : undefined;
  }
  const entries = Object.entries(value).map(([key, item]): [string, TypedValue | undefined] => {
    const at = `${path}[${JSON.stringify(key)}]`;
    if (LONE_SURROGATE.test(key))
      problem(walk, at, 'the key holds a lone UTF-16 surrogate: that is not text any kernel can hold');
    spend(walk, key.length + 3);
    return [key, typed(item, at, depth + 1, walk)];
  });
  return entries.every(([key, item]) => item !== undefined && !LONE_SURROGATE.test(key))
    ? { type: 'dict', entries: entries as Array<[string, TypedValue]> }
    : undefined;
};

type Check = (value: unknown, path: string, walk: Walk) => TypedValue | { hint: string } | null;

const toInt: Check = (value) => {
  if (typeof value === 'bigint') return { type: 'int', value };
  if (typeof value !== 'number' || !Number.isInteger(value)) return null;
  if (Number.isSafeInteger(value)) return { type: 'int', value: BigInt(value) };
  return {
    hint:
      ' (it arrived as a float: beyond 2^53 send the int as plain JSON digits, ' +
      'without a decimal point or exponent, so no digit is lost)',
  };
};

const toFloat: Check = (value) => {
  if (value instanceof FloatLiteral) return { type: 'float', value: value.value };
  if (typeof value === 'number') return { type: 'float', value };
  if (typeof value === 'bigint') {
    // Rounds to the nearest double, as Python's float(int) does; beyond the largest double Python raises OverflowError.
    const rounded = Number(value);
    return Number.isFinite(rounded) ? { type: 'float', value: rounded } : { hint: ' (too large for a float)' };
  }
  const special = typeof value === 'string' ? SPECIAL_FLOAT.exec(value) : null;
  if (special) return { type: 'float', value: special[1] ? Number.NaN : special[2] === '-' ? -Infinity : Infinity };
  return typeof value === 'string' ? { hint: " (for NaN or infinity send 'nan', 'inf' or '-inf')" } : null;
};

/** How each inferred type takes a value: a typed value, a hint to add to the mismatch, or null for a plain mismatch. */
const CHECKS: Record<ParameterType, Check> = {
  int: toInt,
  float: toFloat,
  str: (value, path, walk) => (typeof value === 'string' ? (str(value, path, walk) ?? { hint: '' }) : null),
  bool: (value) => (typeof value === 'boolean' ? { type: 'bool', value } : null),
  list: (value, path, walk) => (Array.isArray(value) ? (typed(value, path, 0, walk) ?? { hint: '' }) : null),
  dict: (value, path, walk) => (isPlainObject(value) ? (typed(value, path, 0, walk) ?? { hint: '' }) : null),
  None: (value, path, walk) => typed(value, path, 0, walk) ?? { hint: '' },
};

const checkOne = (type: ParameterType, value: unknown, path: string, walk: Walk): TypedValue | undefined => {
  // papermill lets None override any parameter.
  if (value === null) return NONE;
  const before = walk.problems.length;
  const outcome = CHECKS[type](value, path, walk);
  if (outcome !== null && !('hint' in outcome)) return outcome;
  // A value whose own parts were wrong has already said so.
  if (walk.problems.length > before) return undefined;
  return problem(walk, path, `expected ${type}, got ${describe(value)}${outcome?.hint ?? ''}`);
};

const fail = (problems: ErrorDetail[]): never => {
  const listed = problems.slice(0, PARAMETER_VALUE_LIMITS.problems);
  const more = problems.length > listed.length ? `; and ${problems.length - listed.length} more` : '';
  throw new ValidationError(
    `${listed.map((d) => `${d.path}: ${d.message}`).join('; ')}${more}`,
    listed,
    'invalid_parameters',
  );
};

/**
 * Checks request values against a notebook's inferred parameters and types them exactly, before anything runs.
 * Every problem is collected into one 400 naming the parameter, the expected type and what came. Big JSON ints
 * must arrive as bigint; a float parameter also takes 'nan', 'inf', '-inf' and 'infinity' (any case, signed).
 */
export const checkParameterValues = (
  inferred: ParameterInference,
  values: Record<string, unknown>,
  options: { allowUnknown: boolean },
): Record<string, TypedValue> => {
  const known = new Map(inferred.parameters.map((p) => [p.name, p.type]));
  const names = [...known.keys()];
  const listed =
    names.length === 0 ? 'it has none' : `known: ${names.slice(0, 30).join(', ')}${names.length > 30 ? ', …' : ''}`;
  const walk: Walk = { problems: [], chars: 0 };
  const checked: Array<[string, TypedValue | undefined]> = [];
  try {
    for (const [name, value] of Object.entries(values)) {
      const path = parameterPath(name);
      spend(walk, name.length + 3);
      const type = known.get(name);
      if (type === undefined && !options.allowUnknown)
        checked.push([name, problem(walk, path, `not a parameter of this notebook; ${listed}`)]);
      else checked.push([name, type === undefined ? typed(value, path, 0, walk) : checkOne(type, value, path, walk)]);
    }
  } catch (err) {
    if (!(err instanceof TooLarge)) throw err;
    fail([
      {
        path: 'parameters',
        message: `the values are too large: at most about ${PARAMETER_VALUE_LIMITS.jsonChars} characters of JSON`,
      },
    ]);
  }
  if (walk.problems.length > 0) fail(walk.problems);
  // fromEntries defines own properties, so a parameter named __proto__ stays a parameter.
  return Object.fromEntries(checked as Array<[string, TypedValue]>);
};

/** Checks that every name is an identifier of the language and not a reserved word; a 400 lists those that are not. */
export const checkParameterNames = (language: string, names: string[]): void => {
  const translator = translatorFor(language);
  const bad = names.filter((name) => !translator.isIdentifier(name));
  if (bad.length === 0) return;
  fail(
    bad.map((name) => ({
      path: parameterPath(name),
      message:
        `${shown(name)} is not a ${translator.language} identifier, or is a reserved word; ` +
        "a parameter name must be a plain name the notebook's code can assign",
    })),
  );
};

const intJson = (value: bigint): number | string =>
  value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
const floatJson = (value: number): number | string =>
  Number.isNaN(value) ? 'nan' : value === Infinity ? 'inf' : value === -Infinity ? '-inf' : value;

/**
 * A typed value as papermill records it in notebook metadata, with LiteralResult's conventions: big ints as decimal
 * strings, 'nan'/'inf'/'-inf'.
 */
export const toPapermillJson = (value: TypedValue): unknown => {
  if (value.type === 'int') return intJson(value.value);
  if (value.type === 'float') return floatJson(value.value);
  if (value.type === 'None') return null;
  if (value.type === 'list') return value.items.map(toPapermillJson);
  if (value.type === 'dict')
    return Object.fromEntries(value.entries.map(([key, item]) => [key, toPapermillJson(item)]));
  return value.value;
};
