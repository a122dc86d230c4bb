import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** What the first page may load, gzipped: the budget. */
export const FIRST_PAGE_BUDGET_BYTES = 200 * 1024;

/** A chunk as far as sizing needs: its file, code and static imports (a subset of Rolldown's OutputChunk). */
export interface SizedChunk {
  type: 'chunk';
  fileName: string;
  code: string;
  isEntry: boolean;
  imports: string[];
}

/** The files the first page loads before anything lazy: every entry chunk and, transitively, its static imports. */
export const firstPageFiles = (bundle: Record<string, SizedChunk | { type: 'asset' }>): string[] => {
  const seen = new Set<string>();
  const visit = (fileName: string) => {
    const chunk = bundle[fileName];
    if (seen.has(fileName) || !chunk || chunk.type !== 'chunk') return;
    seen.add(fileName);
    chunk.imports.forEach(visit);
  };
  for (const [fileName, output] of Object.entries(bundle))
    if (output.type === 'chunk' && output.isEntry) visit(fileName);
  return [...seen];
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * Prints the gzipped size of the JavaScript the first page loads (entry chunk plus its static imports)
 * and of each lazy chunk, and fails the build when the first page is over `budget`.
 */
export const buildSizePlugin = (budget = FIRST_PAGE_BUDGET_BYTES): Plugin => ({
  name: 'orrery-build-size',
  apply: 'build',
  generateBundle(_options, bundle) {
    const chunks = bundle as unknown as Record<string, SizedChunk | { type: 'asset' }>;
    const first = new Set(firstPageFiles(chunks));
    const gz = (fileName: string) => gzipSync((chunks[fileName] as SizedChunk).code, { level: 9 }).length;
    const lines: string[] = [];
    let total = 0;
    for (const fileName of first) {
      const size = gz(fileName);
      total += size;
      lines.push(`  first page  ${kb(size).padStart(9)}  ${fileName}`);
    }
    for (const [fileName, output] of Object.entries(chunks)) {
      if (output.type === 'chunk' && !first.has(fileName))
        lines.push(`  lazy        ${kb(gz(fileName)).padStart(9)}  ${fileName}`);
    }
    const verdict = total <= budget ? 'within' : 'OVER';
    console.log(
      `\nJavaScript, gzipped:\n${lines.join('\n')}\n` +
        `First page JavaScript: ${kb(total)} gzipped (${verdict} the ${kb(budget)} budget)\n`,
    );
    if (total > budget)
      this.error(`the first page loads ${kb(total)} of gzipped JavaScript, over the ${kb(budget)} budget`);
  },
});
