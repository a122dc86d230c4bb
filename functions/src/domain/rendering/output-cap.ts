/** The UTF-8 length of one UTF-16 code unit at `i`, counting a surrogate pair as 4 bytes on its first unit. */
const unitBytes = (text: string, i: number): number => {
  const code = text.charCodeAt(i);
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code < 0xdc00) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low < 0xe000) return 4;
  }
  if (code >= 0xdc00 && code < 0xe000) {
    const high = text.charCodeAt(i - 1);
    if (high >= 0xd800 && high < 0xdc00) return 0;
  }
  return 3;
};

/** The number of UTF-8 bytes `text` encodes to (a lone surrogate counts as the 3 bytes of U+FFFD). */
export const utf8Length = (text: string): number => {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) bytes += unitBytes(text, i);
  return bytes;
};

/**
 * Keeps the head of `text` that fits in `maxBytes` UTF-8 bytes (never half a character), as JupyterLab keeps the
 * start of a long output, and says how many bytes were left out.
 */
export const capText = (text: string, maxBytes: number): { head: string; omittedBytes: number } => {
  // Each UTF-16 unit is at most 3 bytes, so short text needs no counting.
  if (text.length * 3 <= maxBytes) return { head: text, omittedBytes: 0 };
  let bytes = 0;
  let cut = 0;
  while (cut < text.length) {
    const next = unitBytes(text, cut);
    if (bytes + next > maxBytes) break;
    bytes += next;
    cut += next === 4 ? 2 : 1;
  }
  if (cut >= text.length) return { head: text, omittedBytes: 0 };
  return { head: text.slice(0, cut), omittedBytes: utf8Length(text.slice(cut)) };
};

const kilobytes = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** The visible note after a cut output; empty when nothing was cut. */
export const truncationMarker = (omittedBytes: number): string =>
  omittedBytes > 0 ? `<p class="nb-output-truncated">output truncated (${kilobytes(omittedBytes)} KB more)</p>` : '';

/** The note shown instead of an image too large to include whole (half an image shows nothing). */
export const imageOmittedMarker = (bytes: number, maxBytes: number): string =>
  `<p class="nb-output-truncated">image not shown (${kilobytes(bytes)} KB, ` +
  `over the ${kilobytes(maxBytes)} KB limit per output)</p>`;
