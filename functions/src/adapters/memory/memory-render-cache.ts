import type { RenderCache } from '../../ports/render-cache.ts';

/** Pages in a Map, for unit tests; counts reads and writes so a test can see a view served from it. */
export class MemoryRenderCache implements RenderCache {
  readonly pages = new Map<string, string>();
  gets = 0;
  puts = 0;

  async get(key: string): Promise<string | null> {
    this.gets += 1;
    return this.pages.get(key) ?? null;
  }

  async put(key: string, html: string): Promise<void> {
    this.puts += 1;
    this.pages.set(key, html);
  }
}
