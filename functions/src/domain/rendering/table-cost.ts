const DELIMITER_ROW = /^[ \t:|-]*-[ \t:|-]*$/;

const lineAt = (src: string, start: number): { line: string; next: number } => {
  const newline = src.indexOf('\n', start);
  const end = newline < 0 ? src.length : newline;
  return { line: src.slice(start, end), next: end + 1 };
};

const countPipes = (line: string): number => {
  let pipes = 0;
  for (let at = line.indexOf('|'); at >= 0; at = line.indexOf('|', at + 1)) pipes += 1;
  return pipes;
};

/**
 * An upper bound, in table cells, of what marked builds for a GFM table starting at `src`: it pads every body
 * row to the header's width, so a header of n columns over n short rows makes n² cells from 4n characters.
 * 0 when `src` does not start with a header and a delimiter row. Reads the table's own lines once.
 */
export const tableCellCost = (src: string): number => {
  const header = lineAt(src, 0);
  if (header.next > src.length || !header.line.includes('|')) return 0;
  const delimiter = lineAt(src, header.next);
  if (!DELIMITER_ROW.test(delimiter.line)) return 0;
  const columns = Math.max(countPipes(header.line), countPipes(delimiter.line)) + 1;
  let rows = 1;
  for (let at = delimiter.next; at < src.length; ) {
    const { line, next } = lineAt(src, at);
    if (line.trim() === '') break;
    rows += 1;
    at = next;
  }
  return columns * rows;
};
