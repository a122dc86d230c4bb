const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Base64 as nbformat stores it: whole quads, standard alphabet, optional padding, no other characters.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Encodes bytes as standard, padded base64 (no Buffer, so it runs wherever the domain runs). */
export const encodeBase64 = (bytes: Uint8Array): string => {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const quad = (a << 16) | (b << 8) | c;
    out += ALPHABET[(quad >> 18) & 63]! + ALPHABET[(quad >> 12) & 63]!;
    out += i + 1 < bytes.length ? ALPHABET[(quad >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? ALPHABET[quad & 63]! : '=';
  }
  return out;
};

/** Encodes text as the base64 of its UTF-8 bytes; lone surrogates become U+FFFD. */
export const encodeBase64Utf8 = (text: string): string => encodeBase64(new TextEncoder().encode(text));

/**
 * Returns the payload without the line breaks nbformat allows inside base64,
 * or undefined when anything else in it could break out of a data: URI.
 */
export const cleanBase64 = (payload: string): string | undefined => {
  const compact = payload.replace(/[\r\n]/g, '');
  return compact.length > 0 && BASE64.test(compact) ? compact : undefined;
};
