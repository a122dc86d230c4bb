import { decodeNumber, decodeString, floatFromString, type Decoded, type PyNumber } from './python-scalars.ts';
import { tokenizePython, type Token } from './python-tokens.ts';

/** The Python type of a literal, named as papermill names parameter types; a tuple counts as a 'list'. */
export type LiteralType = 'int' | 'float' | 'str' | 'bool' | 'list' | 'dict' | 'None';

/**
 * What reading a Python literal gave. `value` is its JSON form: an int that is not a safe integer
 * (beyond ±(2^53 − 1)) is its decimal string, so `2**64` arrives as "18446744073709551616" with type 'int';
 * float NaN, Infinity and −Infinity are the strings 'nan', 'inf' and '-inf'; −0.0 is -0 (JSON text
 * shows it as 0); tuples are arrays; None is null; the rest is natural JSON. The same rules apply inside
 * lists and dicts. `source` is the literal's exact text, without surrounding blanks or comments.
 */
export type LiteralResult =
  | { ok: true; type: LiteralType; value: unknown; source: string }
  | { ok: false; reason: string };

interface Node {
  type: LiteralType;
  value: unknown;
}

interface Cursor {
  text: string;
  tokens: Token[];
  at: number;
  depth: number;
}

// Python's own parser gives up near 200 levels; this keeps recursion far from the JS stack limit.
const MAX_DEPTH = 100;
const CLOSER_OF: Record<string, string> = { '[': ']', '(': ')', '{': '}' };

class LiteralError extends Error {}

const fail = (reason: string): never => {
  throw new LiteralError(reason);
};
const peek = (c: Cursor): Token | undefined => c.tokens[c.at];
const isOp = (token: Token | undefined, op: string): boolean => token?.kind === 'op' && token.text === op;
const take = (c: Cursor): Token | undefined => c.tokens[c.at++];
const orFail = <T>(decoded: Decoded<T>): T => (decoded.ok ? decoded.value : fail(decoded.reason));

const intJson = (value: bigint): number | string =>
  value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
const floatJson = (value: number): number | string =>
  Number.isNaN(value) ? 'nan' : value === Infinity ? 'inf' : value === -Infinity ? '-inf' : value;
const numberNode = (n: PyNumber): Node =>
  n.type === 'int' ? { type: 'int', value: intJson(n.value) } : { type: 'float', value: floatJson(n.value) };

/** Explains a token that cannot start or continue a literal, naming the most likely mistake. */
const unexpected = (c: Cursor, token: Token | undefined, opener?: string): never => {
  if (!token) return fail(opener ? `\`${opener}\` is never closed` : 'the value ends too early');
  const next = c.tokens[c.at];
  if (opener && token.kind !== 'op')
    return fail(`expected \`,\` or \`${CLOSER_OF[opener] ?? ''}\` before \`${token.text}\``);
  if (token.kind === 'name' && token.text === 'lambda') return fail('a lambda is a function, not a literal');
  if (token.kind === 'name' && isOp(next, '('))
    return fail(
      `\`${token.text}(…)\` is a call; ` +
        "calls are not literals (only float('nan'), float('inf') and float('-inf') are accepted)",
    );
  if (token.kind === 'name' && isOp(next, '.'))
    return fail(`\`${token.text}.…\` reads an attribute; only literal values can be parameters`);
  if (token.kind === 'name')
    return fail(
      `\`${token.text}\` is a name, not a literal: ` +
        'write the value itself (numbers, strings, True/False/None, lists, tuples, dicts)',
    );
  if (isOp(token, '(') || isOp(token, '[') || isOp(token, '.'))
    return fail(`\`${token.text}\` after a value calls, indexes or reads an attribute; that is not a literal`);
  if (token.kind === 'op' && /^[-+*/%@&|^<>=!~]+$/.test(token.text))
    return fail(`\`${token.text}\` is an operator; expressions are not literals, write the resulting value`);
  return fail(`unexpected \`${token.text}\`${opener ? ` inside \`${opener}…\`` : ''}`);
};

const isFloatCall = (c: Cursor): boolean =>
  peek(c)?.kind === 'name' && peek(c)?.text === 'float' && isOp(c.tokens[c.at + 1], '(');

/** Reads an optionally signed number or float('…'); literal_eval allows one sign, and none before True/False. */
const parseNumber = (c: Cursor): PyNumber => {
  const sign = isOp(peek(c), '-') || isOp(peek(c), '+') ? take(c)?.text : undefined;
  const n: PyNumber | undefined =
    peek(c)?.kind === 'number'
      ? orFail(decodeNumber(take(c)?.text ?? ''))
      : isFloatCall(c)
        ? { type: 'float', value: parseFloatCall(c) }
        : undefined;
  if (!n) return sign ? fail(`\`${sign}\` can only come before a number here`) : unexpected(c, take(c));
  if (sign !== '-') return n;
  return n.type === 'int' ? { type: 'int', value: -n.value } : { type: 'float', value: -n.value };
};

/** Reads `float(<string or number>)`, the one call accepted, for nan and the infinities. */
const parseFloatCall = (c: Cursor): number => {
  c.at += 2;
  const value = peek(c)?.kind === 'string' ? orFail(floatFromString(parseStrings(c))) : Number(parseNumber(c).value);
  if (isOp(peek(c), ',')) take(c);
  if (!isOp(take(c), ')')) return fail('float(…) takes one string or number here');
  return value;
};

/** Joins adjacent string tokens, as Python does for `'a' "b"` or strings on consecutive lines inside brackets. */
const parseStrings = (c: Cursor): string => {
  let value = '';
  while (peek(c)?.kind === 'string') value += orFail(decodeString(take(c)!.text));
  return value;
};

/** Reads items up to `closer`; a trailing comma is allowed. Returns the items and whether any comma was seen. */
const parseItems = (c: Cursor, opener: string, first?: Node): { items: Node[]; comma: boolean } => {
  const closer = CLOSER_OF[opener] ?? '';
  const items = first ? [first] : [];
  let comma = false;
  while (!isOp(peek(c), closer)) {
    if (!peek(c)) unexpected(c, undefined, opener);
    if (items.length > 0) {
      if (!isOp(peek(c), ',')) unexpected(c, take(c), opener);
      take(c);
      comma = true;
      if (isOp(peek(c), closer)) break;
    }
    items.push(parseValue(c));
  }
  take(c);
  return { items, comma };
};

const parseBrace = (c: Cursor): Node => {
  const entries = new Map<string, unknown>();
  for (let first = true; !isOp(peek(c), '}'); first = false) {
    if (!peek(c)) unexpected(c, undefined, '{');
    if (!first) {
      if (!isOp(peek(c), ',')) unexpected(c, take(c), '{');
      take(c);
      if (isOp(peek(c), '}')) break;
    }
    if (isOp(peek(c), '**')) return fail('`**` unpacking inside a dict is not a literal');
    const keyStart = c.at;
    const key = parseValue(c);
    if (!isOp(peek(c), ':'))
      return first && (isOp(peek(c), ',') || isOp(peek(c), '}'))
        ? fail('sets are not supported as parameters; use a list')
        : unexpected(c, take(c), '{');
    if (key.type !== 'str')
      return fail(
        `dict keys must be strings; \`${sourceOf(c, keyStart, c.at)}\` is ` +
          (key.type === 'None' ? 'None' : key.type === 'int' ? 'an int' : `a ${key.type}`),
      );
    take(c);
    // Python keeps the last value of a repeated key, at the place the key first appeared, as a Map does.
    entries.set(key.value as string, parseValue(c).value);
  }
  take(c);
  return { type: 'dict', value: Object.fromEntries(entries) };
};

const parseBracketed = (c: Cursor, opener: Token): Node => {
  if (++c.depth > MAX_DEPTH) return fail(`the value is nested more than ${MAX_DEPTH} levels deep`);
  let node: Node;
  if (opener.text === '{') {
    node = parseBrace(c);
  } else if (opener.text === '[') {
    node = { type: 'list', value: parseItems(c, '[').items.map((item) => item.value) };
  } else {
    const empty = isOp(peek(c), ')');
    const { items, comma } = empty ? parseItems(c, '(') : parseItems(c, '(', parseValue(c));
    // `(x)` is x itself; only a comma (or `()`) makes a tuple.
    node = items.length === 1 && !comma ? items[0]! : { type: 'list', value: items.map((item) => item.value) };
  }
  c.depth -= 1;
  return node;
};

/** Reads one value: a number, a string run, True/False/None, float('…'), or a bracketed collection. */
const parseValue = (c: Cursor): Node => {
  const start = peek(c);
  if (start?.kind === 'string') return { type: 'str', value: parseStrings(c) };
  if (start?.kind === 'number' || isOp(start, '-') || isOp(start, '+') || isFloatCall(c))
    return numberNode(parseNumber(c));
  const token = take(c);
  if (token?.kind === 'op' && token.text in CLOSER_OF) return parseBracketed(c, token);
  if (token?.kind === 'name') {
    if (token.text === 'True' || token.text === 'False') return { type: 'bool', value: token.text === 'True' };
    if (token.text === 'None') return { type: 'None', value: null };
    if (token.text === 'set' && isOp(peek(c), '(')) return fail('sets are not supported as parameters; use a list');
  }
  if (isOp(token, '...')) return fail('`...` (Ellipsis) is not a value a parameter can have');
  return unexpected(c, token);
};

const sourceOf = (c: Cursor, from: number, to: number): string => {
  const first = c.tokens[from];
  const last = c.tokens[to - 1];
  return first && last ? c.text.slice(first.start, last.end) : '';
};

/** Reads one Python literal expression as `ast.literal_eval` would, plus float('nan'), float('inf'), float('-inf'). */
export const parsePythonLiteral = (text: string): LiteralResult => {
  const all = tokenizePython(text);
  const broken = all.find((token) => token.kind === 'error');
  if (broken) return { ok: false, reason: broken.message ?? `cannot read \`${broken.text}\`` };
  const c: Cursor = {
    text,
    tokens: all.filter((token) => token.kind !== 'comment' && token.kind !== 'newline'),
    at: 0,
    depth: 0,
  };
  if (c.tokens.length === 0) return { ok: false, reason: 'there is no value' };
  try {
    const first = parseValue(c);
    // A bare `1, 2` is a tuple, as on the right of an assignment.
    const node = isOp(peek(c), ',') ? { type: 'list' as const, value: parseTopTuple(c, first) } : first;
    const extra = take(c);
    if (extra?.kind === 'op') unexpected(c, extra);
    if (extra) fail(`unexpected \`${extra.text}\` after the value; a parameter holds one value`);
    return { ok: true, type: node.type, value: node.value, source: sourceOf(c, 0, c.tokens.length) };
  } catch (err) {
    if (err instanceof LiteralError) return { ok: false, reason: err.message };
    throw err;
  }
};

const parseTopTuple = (c: Cursor, first: Node): unknown[] => {
  const items = [first.value];
  while (isOp(peek(c), ',')) {
    take(c);
    if (c.at < c.tokens.length) items.push(parseValue(c).value);
  }
  return items;
};
