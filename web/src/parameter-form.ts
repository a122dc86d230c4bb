/**
 * The run form's rules, without React: inferred parameters → form fields, and form values → the exact
 * JSON text of the parameters a run request carries, with an error per field.
 *
 * What is sent: only the fields whose value differs from what the form started with. That is what
 * papermill users expect — `papermill -p days 14` injects `days` alone and the notebook's own defaults
 * stand for the rest, so the injected-parameters cell and the run's record show exactly what was
 * overridden. A rerun form starts from the earlier run's values and the API carries them over
 * (`POST /runs/{id}/rerun` merges overrides onto the earlier run), so a rerun sends only what changed.
 *
 * Why JSON text and not values: the API reads `parameters` with an exact parser (an int is digits of
 * any length, `1.0` is a float even though it is whole). `JSON.stringify` would round an int past 2^53
 * and turn `1.0` into the int `1`, so each value keeps the text the user wrote, checked and normalized
 * here, and `toRequestParameters` hands it to `JSON.stringify` as raw JSON.
 */

/** One inferred parameter as `GET /notebooks/{id}/parameters` lists it. */
export interface InferredParameter {
  name: string;
  type: string;
  default: unknown;
  defaultSource: string;
  help: string;
  truncated?: boolean;
}

/** How a field is drawn: a number input (int/float), a checkbox (bool), or text (str and JSON kinds). */
export type FieldInput = 'number' | 'checkbox' | 'text' | 'textarea';

/** One field of the run form. */
export interface FieldSpec {
  name: string;
  /**
   * The parameter's Python type as inferred: int, float, str, bool, list, dict, None (or another name the API may add).
   */
  type: string;
  input: FieldInput;
  /** For number inputs: '1' for ints, 'any' for floats. */
  step?: '1' | 'any';
  /** What the form starts with (the default, or the earlier run's value). */
  initial: string | boolean;
  /** The notebook's help comment, or ''. */
  help: string;
  /** How to write a value of this type, shown under the field. */
  hint: string;
}

/** What the form holds: text for every input but checkboxes. */
export type FormValues = Record<string, string | boolean>;

/** The outcome of reading the form: raw JSON per changed parameter, and an error per bad field. */
export interface ReadParameters {
  parameters: Record<string, string>;
  errors: Record<string, string>;
}

type Parsed = { ok: true; json: string } | { ok: false; error: string };

const INT = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOAT = /^(?:(nan)|([+-]?)inf(?:inity)?)$/i;
const JSON_KINDS: Record<string, { label: string; check: (v: unknown) => boolean; hint: string }> = {
  list: { label: 'a JSON list', check: Array.isArray, hint: 'A JSON list, such as ["a", "b"] or [1, 2.5].' },
  dict: {
    label: 'a JSON object',
    check: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
    hint: 'A JSON object, such as {"key": 1}.',
  },
};
const ANY_HINT = 'Any JSON value: "text" in double quotes, 3, 2.5, true, null, [..] or {..}.';

const ok = (json: string): Parsed => ({ ok: true, json });
const bad = (error: string): Parsed => ({ ok: false, error });

/** Reads an int: digits only, any length, sent as plain JSON digits so nothing is lost past 2^53. */
const readInt = (text: string): Parsed => {
  const t = text.trim();
  if (t === '') return bad('Enter a whole number.');
  if (INT.test(t)) return ok(BigInt(t).toString());
  return bad(
    DECIMAL.test(t)
      ? 'Must be a whole number (no decimal point or exponent).'
      : 'Must be a whole number, such as 7 or -3.',
  );
};

/** Reads a float; whole values keep a `.0` so the API types them as floats, and -0 keeps its sign. */
const readFloat = (text: string): Parsed => {
  const t = text.trim();
  const special = SPECIAL_FLOAT.exec(t);
  if (special) return ok(special[1] ? '"nan"' : special[2] === '-' ? '"-inf"' : '"inf"');
  if (t === '') return bad('Enter a number.');
  if (!DECIMAL.test(t)) return bad('Must be a number, such as 0.25, 3 or 1e-6 (or nan, inf, -inf).');
  const n = Number(t);
  if (!Number.isFinite(n)) return bad('Too large for a float; write inf if you mean infinity.');
  if (Object.is(n, -0)) return ok('-0.0');
  const shown = String(n);
  return ok(/[.e]/.test(shown) ? shown : `${shown}.0`);
};

/** Drops the blanks outside JSON strings, so the text compares and travels in one canonical form. */
const minify = (text: string): string =>
  text.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (_, quoted: string | undefined) => quoted ?? '');

/** Reads JSON text, kept as written (exact numbers), checking the kind when the type names one. */
const parseJson = (type: string, text: string): Parsed => {
  const t = text.trim();
  const kind = JSON_KINDS[type];
  if (t === '') return bad(kind ? `Enter ${kind.label}.` : 'Enter a JSON value, or null.');
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch (err) {
    const pythonic = /'|\b(?:True|False|None)\b/.test(t.replace(/"(?:[^"\\]|\\.)*"/g, ''));
    return bad(
      `Not valid JSON: ${(err as Error).message}` +
        (pythonic ? ' (JSON writes strings in double quotes, and true, false, null for True, False, None)' : '') +
        '.',
    );
  }
  // papermill lets None replace any parameter.
  if (kind && value !== null && !kind.check(value)) return bad(`Must be ${kind.label}.`);
  return ok(minify(t));
};

/** Parses one field's form value into the JSON text of its parameter value. */
export const parseField = (field: Pick<FieldSpec, 'type' | 'input'>, value: string | boolean): Parsed => {
  if (typeof value === 'boolean') return ok(String(value));
  if (field.type === 'int') return readInt(value);
  if (field.type === 'float') return readFloat(value);
  if (field.type === 'str') return ok(JSON.stringify(value));
  return parseJson(field.type, value);
};

const specialFloat = (value: unknown): boolean => value === 'nan' || value === 'inf' || value === '-inf';

/** The text a value starts as in its field; null (a truncated or None default) starts empty. */
const initialText = (type: string, value: unknown): string => {
  if (value === null || value === undefined)
    return type === 'None' || !['int', 'float', 'str', 'list', 'dict'].includes(type) ? 'null' : '';
  if (type === 'int' || type === 'str') return String(value);
  if (type === 'float') return Object.is(value, -0) ? '-0.0' : String(value);
  const compact = JSON.stringify(value);
  return compact.length <= 60 ? compact : JSON.stringify(value, null, 2);
};

// A default JSON cannot show exactly: whole floats (1.0 reads as an int), big ints and nan/inf inside containers.
const lossyInJson = (source: string): boolean =>
  /\d\.(?!\d*[1-9])|\d{16,}|float\(|\d[eE]/.test(source.replace(/(["'])(?:\\.|(?!\1).)*\1/g, ''));

const hintFor = (p: InferredParameter, input: FieldInput, fromRun: boolean): string => {
  const base =
    p.type === 'int'
      ? 'A whole number.'
      : p.type === 'float'
        ? input === 'number'
          ? 'A number, such as 0.25 or 1e-6.'
          : 'A number; nan, inf and -inf are accepted.'
        : p.type === 'bool'
          ? 'Checked means True.'
          : p.type === 'str'
            ? 'Text, sent as is.'
            : (JSON_KINDS[p.type]?.hint ?? ANY_HINT);
  const notes = [base];
  if (fromRun && (JSON_KINDS[p.type] || p.type === 'None'))
    notes.push(
      'This is the earlier run’s value as recorded, where big ints show as strings and 1.0 as 1; ' +
        'left as it is, the exact value is kept.',
    );
  else if (p.truncated) notes.push('The default is too long to show; leave the field as it is to keep it.');
  else if (JSON_KINDS[p.type] && lossyInJson(p.defaultSource))
    notes.push(
      `In Python the default is ${p.defaultSource.slice(0, 120)}; ` +
        'write whole floats with a decimal point (1.0) when you edit it.',
    );
  return notes.join(' ');
};

const inputFor = (p: InferredParameter, initial: string | boolean): Pick<FieldSpec, 'input' | 'step'> => {
  if (p.type === 'bool') return { input: 'checkbox' };
  // A number input cannot hold nan or inf, so such a float is typed as text.
  if (p.type === 'int') return { input: 'number', step: '1' };
  if (p.type === 'float') return specialFloat(initial) ? { input: 'text' } : { input: 'number', step: 'any' };
  if (p.type === 'str')
    return {
      input: typeof initial === 'string' && (initial.includes('\n') || initial.length > 80) ? 'textarea' : 'text',
    };
  if (JSON_KINDS[p.type]) return { input: 'textarea' };
  return { input: 'text' };
};

/**
 * Builds the run form's fields from inferred parameters. `previous` (an earlier run's recorded
 * values, in the API's JSON form) replaces defaults for a rerun.
 */
export const fieldsFor = (inferred: InferredParameter[], previous: Record<string, unknown> = {}): FieldSpec[] =>
  inferred.map((p) => {
    const fromRun = Object.hasOwn(previous, p.name);
    const value = fromRun ? previous[p.name] : p.default;
    const initial = p.type === 'bool' ? value === true : initialText(p.type, value);
    const input = inputFor(p, initial);
    return { name: p.name, type: p.type, ...input, initial, help: p.help, hint: hintFor(p, input.input, fromRun) };
  });

/** The values a form starts with. */
export const initialValues = (fields: FieldSpec[]): FormValues =>
  Object.fromEntries(fields.map((f) => [f.name, f.initial]));

/** Whether a field's value is the one it started with, compared in canonical form (so `7` and `07` are the same). */
const unchanged = (field: FieldSpec, value: string | boolean): boolean => {
  if (value === field.initial) return true;
  const now = parseField(field, value);
  const before = parseField(field, field.initial);
  return now.ok && before.ok && now.json === before.json;
};

/** Reads the form: the JSON text of every changed, valid field, and an error for every invalid one. */
export const readValues = (fields: FieldSpec[], values: FormValues): ReadParameters => {
  const parameters: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name] ?? field.initial;
    if (unchanged(field, value)) continue;
    const parsed = parseField(field, value);
    if (parsed.ok) parameters[field.name] = parsed.json;
    else errors[field.name] = parsed.error;
  }
  return { parameters, errors };
};

/** One detail of an API validation error. */
export interface ApiErrorDetail {
  path: string;
  message: string;
}

const PARAMETER_PATH = /^(?:body\.)?parameters(?:\.([\p{L}\p{N}_]+)|\[("(?:[^"\\]|\\.)*")\])(.*)$/u;
const BODY_FIELD = /^body\.([A-Za-z]+)$/;

/**
 * Places an API 400 beside the fields it names: `parameters.days` (or `parameters["odd name"]`, or a
 * path inside one) → that parameter's field, `body.timeoutSeconds` → `timeoutSeconds`. Uses the error's
 * `details` when present, else splits its message (`path: message; path: message`). What names no known
 * field comes back in `general`.
 */
export const fieldErrorsFromApi = (
  error: { message: string; details?: ApiErrorDetail[] },
  fieldNames: string[],
): { fields: Record<string, string>; general: string[] } => {
  const details = error.details?.length ? error.details : splitMessage(error.message);
  const known = new Set(fieldNames);
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const { path, message } of details) {
    const parameter = PARAMETER_PATH.exec(path);
    const name = parameter ? (parameter[1] ?? (JSON.parse(parameter[2]!) as string)) : BODY_FIELD.exec(path)?.[1];
    const text = parameter?.[3] ? `${parameter[3]}: ${message}` : message;
    if (name !== undefined && known.has(name)) fields[name] = fields[name] ? `${fields[name]}; ${text}` : text;
    else general.push(path ? `${path}: ${message}` : message);
  }
  return { fields, general };
};

// The API joins details as `path: message; path: message`; a message may itself hold '; ', so split only before a path.
const splitMessage = (message: string): ApiErrorDetail[] =>
  message.split(/; (?=(?:body\.|parameters[.[]))/).map((part) => {
    const match = /^((?:body\.|parameters[.[])[^:]*?): (.*)$/su.exec(part);
    return match ? { path: match[1]!, message: match[2]! } : { path: '', message: part };
  });

type JsonWithRaw = { parse: typeof JSON.parse; rawJSON?: (text: string) => unknown };

/**
 * Turns the raw JSON texts into values for a request body that `JSON.stringify` writes back exactly:
 * every number becomes `JSON.rawJSON` of its source text (ES2025 source text access, in current
 * Chromium, Firefox and Safari), so big ints and `1.0` survive. Where the browser lacks it, the values
 * are plain JSON (an int past 2^53 then loses digits and the API says so; a whole float in a list turns int).
 */
export const toRequestParameters = (
  raw: Record<string, string>,
  json: JsonWithRaw = JSON as JsonWithRaw,
): Record<string, unknown> => {
  const { rawJSON } = json;
  const exact = (_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && rawJSON && context?.source !== undefined ? rawJSON(context.source) : value;
  return Object.fromEntries(
    Object.entries(raw).map(([name, text]) => [name, json.parse(text, exact as Parameters<typeof JSON.parse>[1])]),
  );
};
