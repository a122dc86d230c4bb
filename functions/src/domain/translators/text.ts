/** Lowercase hex of a code point or byte, zero-padded to `width` digits. */
export const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

// Letters, marks, digits, punctuation and symbols (emoji among them) read the same in any editor; spaces other
// than ' ', controls, format characters (ZWJ, bidi overrides), separators and unassigned code points do not.
const VISIBLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Whether a non-ASCII character (one code point) may stay literal in generated source instead of being escaped. */
export const isVisible = (char: string): boolean => (char.codePointAt(0) ?? 0) >= 0xa0 && VISIBLE.test(char);

/** Whether a character (one code point) is printable ASCII, space included. */
export const isPrintableAscii = (char: string): boolean => char >= ' ' && char <= '~';

/**
 * A finite float as Python's repr writes it: the shortest digits that read back to the same double, always with
 * a `.` or an exponent (`5.0`, `0.1`, `1e+16`, `1e-05`, `-0.0`), so that every target language reads a float.
 */
export const floatText = (n: number): string => {
  const sign = n < 0 || Object.is(n, -0) ? '-' : '';
  // toExponential() without an argument gives the same shortest round-trip digits as String(n) and Python's repr.
  const [mantissa = '0', exponentText = '0'] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${fraction}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  return `${sign}${digits.slice(0, exponent + 1).padEnd(exponent + 1, '0')}.${digits.slice(exponent + 1) || '0'}`;
};
