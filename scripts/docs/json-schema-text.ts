// Turns the JSON Schema that zod makes of a route's schemas (the same conversion /openapi.json uses) into the short
// texts the API reference shows: a TypeScript-like type, the limits a value must keep, and one row per field.

/** A JSON Schema node as z.toJSONSchema writes it; only the keywords the reference reads are named. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
}

/** One row of a field table: a body, query or path field, or a field of a response shape. */
export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  limits: string;
  description: string;
}

/** Names given to shapes that several routes return, found by structure; `used` collects those a text named. */
export interface ShapeNames {
  byKey: Map<string, string>;
  schemas: Map<string, JsonSchema>;
  used: Set<string>;
}

/** The identity of a schema for matching shapes: its JSON text without the root's `$schema`. */
export const shapeKey = (schema: JsonSchema): string => {
  const { $schema: _drop, ...rest } = schema as JsonSchema & { $schema?: string };
  return JSON.stringify(rest);
};

const isNull = (s: JsonSchema) => s.type === 'null';
const paren = (text: string) => (text.includes(' | ') || text.includes(' & ') ? `(${text})` : text);

/** The non-null part of a nullable schema, and whether null is allowed. */
const unwrapNull = (s: JsonSchema): { inner: JsonSchema; nullable: boolean } => {
  if (Array.isArray(s.type) && s.type.length === 2 && s.type.includes('null')) {
    return { inner: { ...s, type: s.type.find((t) => t !== 'null') }, nullable: true };
  }
  const parts = s.anyOf?.filter((p) => !isNull(p));
  if (parts?.length !== 1 || s.anyOf!.length !== 2) return { inner: s, nullable: false };
  return { inner: { ...parts[0]!, description: s.description ?? parts[0]!.description }, nullable: true };
};

// A shape whose every field the object has, unchanged: the object reads as that shape plus its extra fields.
const extensionOf = (s: JsonSchema, names: ShapeNames): string | undefined => {
  let best: { name: string; size: number } | undefined;
  for (const [name, shape] of names.schemas) {
    const fields = Object.entries(shape.properties ?? {});
    const same = ([k, v]: [string, JsonSchema]) => {
      const mine = s.properties?.[k];
      return mine !== undefined && shapeKey(mine) === shapeKey(v);
    };
    const fits = fields.length > 0 && fields.length < Object.keys(s.properties ?? {}).length && fields.every(same);
    if (fits && (!best || fields.length > best.size)) best = { name, size: fields.length };
  }
  if (!best) return undefined;
  names.used.add(best.name);
  const base = new Set(Object.keys(names.schemas.get(best.name)!.properties ?? {}));
  const extra = Object.entries(s.properties ?? {}).filter(([k]) => !base.has(k));
  return `${best.name} & ${objectText(Object.fromEntries(extra), s.required ?? [], names)}`;
};

const objectText = (props: Record<string, JsonSchema>, required: string[], names: ShapeNames): string => {
  const fields = Object.entries(props).map(([k, v]) => `${k}${required.includes(k) ? '' : '?'}: ${typeText(v, names)}`);
  return `{ ${fields.join(', ')} }`;
};

const objectType = (s: JsonSchema, names: ShapeNames): string => {
  if (s.properties) return extensionOf(s, names) ?? objectText(s.properties, s.required ?? [], names);
  const values = typeof s.additionalProperties === 'object' ? typeText(s.additionalProperties, names) : 'any';
  return values === 'any' ? 'object' : `{ [key]: ${values} }`;
};

/** A TypeScript-like text of a schema's type: `string | null`, `'private' | 'team'`, `Run[]`, `{ status: 'ok' }`. */
export const typeText = (s: JsonSchema, names: ShapeNames): string => {
  const named = names.byKey.get(shapeKey(s));
  if (named) {
    names.used.add(named);
    return named;
  }
  if (s.anyOf) return s.anyOf.map((p) => typeText(p, names)).join(' | ');
  if (s.allOf?.length === 1) return typeText(s.allOf[0]!, names);
  if (s.const !== undefined) return JSON.stringify(s.const).replaceAll('"', "'");
  if (s.enum) return s.enum.map((v) => JSON.stringify(v).replaceAll('"', "'")).join(' | ');
  if (Array.isArray(s.type)) return s.type.map((t) => typeText({ ...s, type: t }, names)).join(' | ');
  if (s.type === 'array') return `${paren(s.items ? typeText(s.items, names) : 'any')}[]`;
  if (s.type === 'object') return objectType(s, names);
  return s.type ?? 'any';
};

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const range = (low: string | undefined, high: string | undefined, unit = ''): string | undefined => {
  if (low !== undefined && high !== undefined) return `${low}–${high}${unit}`;
  if (low !== undefined) return `≥ ${low}${unit}`;
  return high === undefined ? undefined : `≤ ${high}${unit}`;
};

const numberRange = (s: JsonSchema): string | undefined => {
  const max = s.maximum !== undefined && s.maximum < MAX_SAFE ? String(s.maximum) : undefined;
  if (s.exclusiveMinimum !== undefined && s.minimum === undefined) {
    return max ? `> ${s.exclusiveMinimum}, ≤ ${max}` : `> ${s.exclusiveMinimum}`;
  }
  return range(s.minimum === undefined ? undefined : String(s.minimum), max);
};

const FORMATS: Record<string, string> = {
  'date-time': 'ISO 8601 date-time with offset',
  uri: 'URL',
  email: 'email address',
};

/** The limits one value must keep: lengths, ranges, item counts, a pattern or format. */
export const limitsText = (s: JsonSchema): string => {
  const parts: (string | undefined)[] = [];
  const text = (n: number | undefined) => (n === undefined ? undefined : String(n));
  if (s.type === 'string') parts.push(range(text(s.minLength), text(s.maxLength), ' chars'));
  if (s.type === 'integer' || s.type === 'number') parts.push(numberRange(s));
  if (s.type === 'array') parts.push(range(text(s.minItems), text(s.maxItems), ' items'));
  if (s.format) parts.push(FORMATS[s.format] ?? s.format);
  else if (s.pattern) parts.push(`\`${s.pattern}\``);
  if (s.type === 'array' && s.items && !s.items.properties) {
    const each = limitsText(s.items);
    if (each) parts.push(`each ${each}`);
  }
  return parts.filter(Boolean).join(', ');
};

const isNumeric = (s: JsonSchema | undefined) => s?.type === 'integer' || s?.type === 'number';

/**
 * One field as sent (`input`) and as the handler receives it (`output`): query and path values arrive as text
 * that the schema turns into numbers, so the output side holds their type, range and default.
 */
const fieldRow = (
  name: string,
  input: JsonSchema,
  output: JsonSchema | undefined,
  required: boolean,
  names: ShapeNames,
): FieldRow => {
  const { inner, nullable } = unwrapNull(input);
  const fromText = inner.type === 'string' && isNumeric(output);
  const shown = fromText ? output! : inner;
  const limits = fromText && numberRange(output!) === undefined ? limitsText(inner) : limitsText(shown);
  const fallback = input.default ?? output?.default;
  const defaultText = fallback === undefined ? '' : `default \`${JSON.stringify(fallback)}\``;
  const type = typeText(fromText ? shown : input, names);
  return {
    name,
    type: nullable && fromText ? `${type} | null` : type,
    required,
    limits: [limits, defaultText].filter(Boolean).join('; '),
    description: input.description ?? output?.description ?? '',
  };
};

/**
 * The rows of an object's fields, nested objects and arrays of objects flattened with dotted names
 * (`overrides.cpu`, `kernels[].executionState`) so every field a client may send has its own row.
 */
export const fieldRows = (
  input: JsonSchema,
  output: JsonSchema | undefined,
  names: ShapeNames,
  prefix = '',
): FieldRow[] =>
  Object.entries(input.properties ?? {}).flatMap(([key, field]) => {
    const name = `${prefix}${key}`;
    const out = output?.properties?.[key];
    const required = (input.required ?? []).includes(key);
    const { inner } = unwrapNull(field);
    const row = fieldRow(name, field, out, required, names);
    const outInner = unwrapNull(out ?? {}).inner;
    if (inner.properties) return [{ ...row, type: 'object' }, ...fieldRows(inner, outInner, names, `${name}.`)];
    if (inner.type === 'array' && inner.items?.properties) {
      return [{ ...row, type: 'object[]' }, ...fieldRows(inner.items, outInner.items, names, `${name}[].`)];
    }
    return [row];
  });
