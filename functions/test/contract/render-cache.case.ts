import { describe, expect, it } from 'vitest';
import { renderKey } from '../../src/domain/rendering/render-key.ts';
import type { RenderCache } from '../../src/ports/render-cache.ts';

/** How a contract run reaches an adapter: a fresh cache, and where its pages are stored when they can be seen. */
export interface RenderCacheHarness {
  cache: RenderCache;
  /** The storage key a page lands under, when the adapter stores pages somewhere a test can list. */
  storedKeys?: () => Promise<string[]>;
}

const SHA = 'ab'.repeat(32);
const key = (title: string) => renderKey({ kind: 'version', sha256: SHA }, { title });

/** The behaviour every RenderCache must have; each adapter's test file runs it. */
export const renderCacheContract = (name: string, make: () => Promise<RenderCacheHarness>) =>
  describe(`RenderCache contract: ${name}`, () => {
    it('answers a miss with null and a kept page with exactly its text', async () => {
      // Prepare
      const { cache } = await make();
      const page = `<!doctype html><title>é 🚀</title>${'x'.repeat(100_000)}`;

      // Act
      const before = await cache.get(key('a'));
      await cache.put(key('a'), page);
      const after = await cache.get(key('a'));

      // Assess
      expect(before).toBeNull();
      expect(after).toBe(page);
    });

    it('keeps pages apart by key and lets a later page replace an earlier one', async () => {
      // Prepare
      const { cache } = await make();

      // Act
      await cache.put(key('a'), 'first');
      await cache.put(key('b'), 'other');
      await cache.put(key('a'), 'second');

      // Assess
      expect(await cache.get(key('a'))).toBe('second');
      expect(await cache.get(key('b'))).toBe('other');
      expect(await cache.get(key('c'))).toBeNull();
    });

    it('keeps an empty page as a page, not as a miss', async () => {
      // Prepare
      const { cache } = await make();

      // Act
      await cache.put(key('empty'), '');

      // Assess
      expect(await cache.get(key('empty'))).toBe('');
    });

    it('stores pages under the rendered/ prefix when they land in a bucket', async () => {
      // Prepare
      const harness = await make();

      // Act
      await harness.cache.put(key('a'), 'page');

      // Assess
      if (harness.storedKeys) expect(await harness.storedKeys()).toContain(`rendered/${key('a')}`);
    });
  });
