/**
 * A parameter value with its Python type, exact: ints unbounded, floats as IEEE doubles (NaN, ±Infinity, -0.0
 * included).
 */
export type TypedValue =
  | { type: 'int'; value: bigint }
  | { type: 'float'; value: number }
  | { type: 'str'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'None' }
  | { type: 'list'; items: TypedValue[] }
  | { type: 'dict'; entries: Array<[string, TypedValue]> };

/**
 * A JSON number written with a fraction or an exponent (`1.0`, `2e3`, `-0.0`): a float, as Python's
 * json module reads it, even when its value is whole. The API's exact parser makes these
 * (kept here, apart from the translators, so the HTTP layer's parser does not load them).
 */
export class FloatLiteral {
  constructor(readonly value: number) {}
}

/** A TypedValue as JSON can hold it: ints as decimal strings, so nothing is lost in storage. */
export type StoredTypedValue =
  | { type: 'int'; value: string }
  | { type: 'float'; value: number | 'nan' | 'inf' | '-inf' | '-0' }
  | { type: 'str'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'None' }
  | { type: 'list'; items: StoredTypedValue[] }
  | { type: 'dict'; entries: Array<[string, StoredTypedValue]> };

const floatToStored = (n: number): StoredTypedValue => {
  if (Number.isNaN(n)) return { type: 'float', value: 'nan' };
  if (n === Infinity) return { type: 'float', value: 'inf' };
  if (n === -Infinity) return { type: 'float', value: '-inf' };
  return { type: 'float', value: Object.is(n, -0) ? '-0' : n };
};

const FLOATS: Record<string, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity, '-0': -0 };

/** Encodes a typed value for storage (JSON, DynamoDB) without losing a bit. */
export const storeTyped = (v: TypedValue): StoredTypedValue => {
  switch (v.type) {
    case 'int':
      return { type: 'int', value: v.value.toString() };
    case 'float':
      return floatToStored(v.value);
    case 'list':
      return { type: 'list', items: v.items.map(storeTyped) };
    case 'dict':
      return { type: 'dict', entries: v.entries.map(([k, x]) => [k, storeTyped(x)]) };
    default:
      return v;
  }
};

/** Decodes a stored typed value back to the exact value. */
export const loadTyped = (v: StoredTypedValue): TypedValue => {
  switch (v.type) {
    case 'int':
      return { type: 'int', value: BigInt(v.value) };
    case 'float':
      return { type: 'float', value: typeof v.value === 'number' ? v.value : FLOATS[v.value]! };
    case 'list':
      return { type: 'list', items: v.items.map(loadTyped) };
    case 'dict':
      return { type: 'dict', entries: v.entries.map(([k, x]) => [k, loadTyped(x)]) };
    default:
      return v;
  }
};
