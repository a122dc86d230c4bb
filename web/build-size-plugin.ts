import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The most JavaScript, gzipped, the first page may load before it can draw (issue 6). */
export const FIRST_PAGE_BUDGET_BYTES = 200 * 1024;

interface ChunkLike {
  type: 'chunk' | 'asset';
  isEntry?: boolean;
  imports?: string[];
  code?: string;
}

/** The entry chunks and everything they import statically: what the browser fetches before the first page runs. */
export const firstPageChunks = (bundle: Record<string, ChunkLike>): string[] => {
  const seen = new Set<string>();
  const visit = (name: string) => {
    const chunk = bundle[name];
    if (seen.has(name) || chunk?.type !== 'chunk') return;
    seen.add(name);
    // Dynamic imports (lazy routes) load later, so only static imports count.
    for (const next of chunk.imports ?? []) visit(next);
  };
  for (const [name, chunk] of Object.entries(bundle)) if (chunk.type === 'chunk' && chunk.isEntry) visit(name);
  return [...seen].sort();
};

/**
 * Prints the gzipped size of the first page's JavaScript after every production build, and fails
 * the build when it is over the budget, so a heavy dependency is noticed the day it arrives.
 */
export const buildSizePlugin = (budgetBytes = FIRST_PAGE_BUDGET_BYTES): Plugin => ({
  name: 'orrery-first-page-size',
  apply: 'build',
  generateBundle(_options, bundle) {
    const chunks = firstPageChunks(bundle as unknown as Record<string, ChunkLike>);
    const sizes = chunks.map((name) => ({ name, gzip: gzipSync((bundle[name] as unknown as ChunkLike).code ?? '', { level: 9 }).length }));
    const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    const detail = sizes.map((s) => `${s.name} ${kb(s.gzip)}`).join(', ');
    const line = `first page JavaScript: ${kb(total)} gzipped (budget ${kb(budgetBytes)}; ${detail})`;
    if (total > budgetBytes) this.error(`${line} — over budget: lazy-load a route or drop a dependency`);
    console.log(`orrery: ${line}`);
  },
});
