import { describe, expect, it } from 'vitest';
import { lazyPort } from '../../../src/composition/lazy-port.ts';
import type { RenderCache } from '../../../src/ports/render-cache.ts';

/** A cache adapter keeping pages in a private map, so a call that lost its `this` would throw. */
class MapCache implements RenderCache {
  readonly #pages = new Map<string, string>();
  async get(key: string): Promise<string | null> {
    return this.#pages.get(key) ?? null;
  }
  async put(key: string, html: string): Promise<void> {
    this.#pages.set(key, html);
  }
}

/** A loader that fails its first `failures` calls, then builds one MapCache per call; counts its calls. */
const countingLoader = (failures = 0) => {
  const calls = { count: 0 };
  const load = async (): Promise<RenderCache> => {
    calls.count += 1;
    if (calls.count <= failures) throw new Error('chunk not found');
    return new MapCache();
  };
  return { load, calls };
};

describe('lazyPort', () => {
  it('builds the adapter on the first call of any method, not before, and keeps it for every later call', async () => {
    // Prepare
    const { load, calls } = countingLoader();
    const cache = lazyPort(load, { get: true, put: true });
    const before = calls.count;

    // Act
    await cache.put('page', '<p>kept</p>');
    const page = await cache.get('page');

    // Assess
    expect(before).toBe(0);
    expect(page).toBe('<p>kept</p>');
    expect(calls.count).toBe(1);
  });

  it('tries the load again after a failed one instead of failing for the life of the container', async () => {
    // Prepare
    const { load, calls } = countingLoader(1);
    const cache = lazyPort(load, { get: true, put: true });

    // Act
    const first = cache.get('page');
    await expect(first).rejects.toThrow('chunk not found');
    const second = await cache.get('page');

    // Assess
    expect(second).toBeNull();
    expect(calls.count).toBe(2);
  });

  it('offers exactly the methods it was given, so an unlisted method is no silent no-op', () => {
    // Prepare
    const { load } = countingLoader();

    // Act
    const cache = lazyPort(load, { get: true, put: true });

    // Assess
    expect(Object.keys(cache).sort()).toEqual(['get', 'put']);
  });
});
