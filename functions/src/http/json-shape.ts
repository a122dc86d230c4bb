import { ValidationError } from '../domain/errors.ts';

/**
 * How deeply a request body's objects and arrays may nest, the body itself counting as one. A notebook sent
 * inline as a JSON object starts two levels down and its outputs add about six before their own data (Plotly,
 * widget state: a dozen more), so 64 leaves room; run parameters stop at 16 anyway (parameter-values.ts).
 * Past a few thousand levels the recursive exact-number parser overflowed its stack: a 500 before this check.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

interface Frame {
  keys: Set<string> | null;
  /** The key or index of the child being read. */
  at: string | number;
  expectKey: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]{0,79}$/;
const shown = (key: string) => (key.length > 80 ? `${key.slice(0, 80)}…` : key);
const step = (at: string | number) =>
  typeof at === 'number' ? `[${at}]` : IDENTIFIER.test(at) ? `.${at}` : `[${JSON.stringify(shown(at))}]`;
const pathOf = (where: string, frames: Frame[]) => frames.reduce((acc, f) => acc + step(f.at), where);

// The closing quote of the string opening at `start`: a quote after an even run of backslashes.
const stringEnd = (text: string, start: number): number => {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    if (end < 0) return text.length;
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes += 1;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
};

const readKey = (text: string, start: number, end: number): string => {
  const raw = text.slice(start + 1, end);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end + 1)) as string) : raw;
};

/**
 * Refuses, with a 400 that names the place, what JSON.parse lets through but the platform must not take:
 * a key repeated in one object (which value counts would depend on the parser) and nesting deeper than
 * `maxDepth`. One pass over text that JSON.parse has already accepted; strings are skipped, not parsed.
 */
export const checkJsonShape = (text: string, where = 'body', maxDepth = MAX_JSON_DEPTH): void => {
  const frames: Frame[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    const top = frames.at(-1);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (top?.expectKey) {
        const key = readKey(text, i, end);
        if (top.keys!.has(key)) {
          const path = pathOf(where, frames.slice(0, -1));
          const message = `${path} has the key ${JSON.stringify(shown(key))} twice; send each key once`;
          throw new ValidationError(message, [{ path: path + step(key), message: 'duplicate key' }], 'duplicate_key');
        }
        top.keys!.add(key);
        top.at = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (frames.length >= maxDepth) {
        const path = pathOf(where, frames);
        const message = `${path} is nested too deeply: more than ${maxDepth} levels of objects and arrays; flatten it`;
        throw new ValidationError(message, [{ path, message: `deeper than ${maxDepth} levels` }], 'too_deep');
      }
      const object = c === OPEN_OBJECT;
      frames.push(object ? { keys: new Set(), at: '', expectKey: true } : { keys: null, at: 0, expectKey: false });
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      frames.pop();
    } else if (c === COMMA && top) {
      if (top.keys) top.expectKey = true;
      else top.at = (top.at as number) + 1;
    }
  }
};
