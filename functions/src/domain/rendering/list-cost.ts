// A line that starts a list item, a quote, a heading or a fence (at any indentation): it ends a paragraph.
const BULLET = /^([ \t]*)(?:[*+-]|\d{1,9}[.)])([ \t]{1,4}|$)/;
const BLOCK_START = /^[ \t]*(?:>|#{1,6}(?:[ \t]|$)|`{3,}|~{3,})/;
const FENCE = /^[ \t]*(?:`{3,}|~{3,})/;

const indentOf = (line: string): number => line.length - line.trimStart().length;

/**
 * An estimate, in characters copied, of what marked pays to lex the list starting at `src`, and how far the list
 * can reach. marked grows each item's text (and each paragraph in it) with `+=` and reads it back once per line,
 * which copies it whole every time: quadratic in an item with many lines. One pass over the list, counting for
 * each paragraph line the paragraph so far, and for each lazy line (not indented enough for its item) the item
 * so far.
 */
export const listCopyCost = (src: string): { cost: number; extent: number } => {
  const first = BULLET.exec(src);
  const siblingIndent = first ? first[1]!.length : 0;
  let contentIndent = first ? first[0].length : 1;
  let cost = 0;
  let itemStart = 0;
  let paragraphStart = 0;
  let previousBlank = false;
  let fenced = false;
  let pos = 0;
  while (pos < src.length) {
    const newline = src.indexOf('\n', pos);
    const end = newline < 0 ? src.length : newline;
    const line = src.slice(pos, end);
    const blank = line.trim() === '';
    const indent = indentOf(line);
    const bullet = BULLET.exec(line);
    if (pos > 0 && previousBlank && !blank && indent < contentIndent && !(bullet && indent <= siblingIndent + 3)) break;
    if (FENCE.test(line)) fenced = !fenced;
    if (bullet && !fenced && indent <= siblingIndent + 3) {
      itemStart = pos;
      contentIndent = bullet[0].length;
    }
    if (blank || fenced || bullet || BLOCK_START.test(line)) {
      paragraphStart = pos + line.length + 1;
    } else {
      cost += pos - paragraphStart;
      if (indent < contentIndent && !previousBlank) cost += pos - itemStart;
    }
    previousBlank = blank;
    pos = end + 1;
  }
  return { cost, extent: Math.min(pos, src.length) };
};
