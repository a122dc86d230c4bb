/** A number as Python holds it: ints exactly (bigint), floats as IEEE doubles. */
export type PyNumber = { type: 'int'; value: bigint } | { type: 'float'; value: number };

/** A decoded scalar token, or why it is not a value a parameter can have. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

const PYTHON_FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const SPECIAL_FLOAT = /^([+-]?)(nan|inf|infinity)$/i;

/** Reads the text of a number token (already shaped by the tokenizer) into an exact int or a float. */
export const decodeNumber = (text: string): Decoded<PyNumber> => {
  const plain = text.replaceAll('_', '');
  if (/[jJ]$/.test(plain)) return fail(`\`${text}\` is a complex number; only int and float numbers can be parameters`);
  if (/^0[xXoObB]/.test(plain)) return { ok: true, value: { type: 'int', value: BigInt(plain.toLowerCase()) } };
  if (/[.eE]/.test(plain)) return { ok: true, value: { type: 'float', value: Number(plain) } };
  if (/^0+[1-9]/.test(plain)) {
    const octal = /^[0-7]+$/.test(plain) ? ` (write 0o${plain.replace(/^0+/, '')} for octal)` : '';
    return fail(`\`${text}\`: leading zeros are not allowed in a decimal int${octal}`);
  }
  return { ok: true, value: { type: 'int', value: BigInt(plain) } };
};

/** Converts the argument of `float('…')` the way Python's float() does: numbers, nan, inf and infinity, any case. */
export const floatFromString = (text: string): Decoded<number> => {
  const trimmed = text.trim();
  const special = SPECIAL_FLOAT.exec(trimmed);
  if (special) {
    const magnitude = special[2]?.toLowerCase() === 'nan' ? Number.NaN : Number.POSITIVE_INFINITY;
    return { ok: true, value: special[1] === '-' ? -magnitude : magnitude };
  }
  if (PYTHON_FLOAT.test(trimmed)) return { ok: true, value: Number(trimmed.replaceAll('_', '')) };
  return fail(`float(${JSON.stringify(text)}) is not a number Python can read`);
};

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

const ESCAPE =
  /\\(?:(\n)|x([0-9a-fA-F]{2})?|u([0-9a-fA-F]{4})?|U([0-9a-fA-F]{8})?|N(\{[^}\n]*\})?|([0-7]{1,3})|([\s\S])?)/g;

/** Applies backslash escapes as Python does for a str; unknown escapes keep their backslash, like Python. */
const unescapeBody = (body: string): Decoded<string> => {
  let problem = '';
  const value = body.replace(
    ESCAPE,
    (
      all,
      lineBreak?: string,
      hex2?: string,
      hex4?: string,
      hex8?: string,
      named?: string,
      octal?: string,
      other?: string,
    ) => {
      if (lineBreak) return '';
      const hex = hex2 ?? hex4 ?? hex8 ?? octal;
      if (hex !== undefined) {
        const code = Number.parseInt(hex, octal === undefined ? 16 : 8);
        if (code <= 0x10ffff) return String.fromCodePoint(code);
        problem ||= `\`${all}\` is beyond the last Unicode code point U+10FFFF`;
        return '';
      }
      if (named !== undefined || all === '\\N') {
        problem ||= `named escapes such as \`${all}\` are not supported; write the character itself or a \\u escape`;
        return '';
      }
      if (/^\\[xuU]/.test(all)) {
        problem ||= `\`${all}\` is a truncated escape: \\x takes 2 hex digits, \\u 4 and \\U 8`;
        return '';
      }
      return other === undefined ? all : (SIMPLE_ESCAPES[other] ?? all);
    },
  );
  return problem ? fail(problem) : { ok: true, value };
};

/** Decodes one string token (prefix, quotes, body) into its str value; bytes, f-strings and t-strings are refused. */
export const decodeString = (token: string): Decoded<string> => {
  const quoteAt = token.search(/['"]/);
  const prefix = token.slice(0, quoteAt).toLowerCase();
  if (prefix.includes('f'))
    return fail(`\`${token}\` is an f-string: it is computed when the cell runs, so it is not a literal`);
  if (prefix.includes('t'))
    return fail(`\`${token}\` is a t-string: it is computed when the cell runs, so it is not a literal`);
  if (prefix.includes('b')) return fail(`\`${token}\` is a bytes literal; only str values can be parameters`);
  const quoteLength = token.startsWith('"""', quoteAt) || token.startsWith("'''", quoteAt) ? 3 : 1;
  // Python reads source with universal newlines, so a CRLF inside a triple-quoted string is one \n.
  const body = token.slice(quoteAt + quoteLength, token.length - quoteLength).replace(/\r\n?/g, '\n');
  return prefix.includes('r') ? { ok: true, value: body } : unescapeBody(body);
};
