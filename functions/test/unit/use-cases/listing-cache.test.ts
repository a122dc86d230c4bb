import { describe, expect, it, vi } from 'vitest';
import { archiveNotebook } from '../../../src/use-cases/archive-notebook.ts';
import { createNotebook } from '../../../src/use-cases/create-notebook.ts';
import { listNotebooks, type NotebookPage } from '../../../src/use-cases/list-notebooks.ts';
import { ListingCache, type ListingCacheLimits } from '../../../src/use-cases/listing-cache.ts';
import { updateNotebook } from '../../../src/use-cases/update-notebook.ts';
import { FakeClock, memoryDeps, people } from '../../support/fakes.ts';

const LIMITS: ListingCacheLimits = { maxItems: 1000, settleMs: 1000, maxAgeMs: 60_000 };

const cachedDeps = async () => {
  const base = memoryDeps();
  const clock = new FakeClock();
  const deps = { ...base, listingCache: new ListingCache<NotebookPage>(LIMITS, clock) };
  const ids = [];
  for (const visibility of ['private', 'team', 'org'] as const)
    ids.push((await createNotebook(deps, { user: people.alice, title: visibility, visibility, tags: [] })).notebook.id);
  const reads = vi.spyOn(base.notebooks, 'listSource');
  const titles = async (user = people.alice) =>
    (await listNotebooks(deps, { user, filter: {}, limit: 10 })).items.map((n) => n.title);
  // The first sight of a stamp starts its settle window; a page read once it is over is kept.
  const cached = async () => {
    await titles();
    clock.advance(LIMITS.settleMs);
    await titles();
  };
  return { deps, clock, ids, reads, titles, cached };
};

describe('the listing cache', () => {
  it('serves a page again without reading the store while the listing stamp stands', async () => {
    const { reads, titles, cached } = await cachedDeps();
    await cached();
    const firstReads = reads.mock.calls.length;
    expect(firstReads).toBeGreaterThan(0);
    expect(await titles()).toEqual(['org', 'team', 'private']);
    expect(await titles()).toEqual(['org', 'team', 'private']);
    expect(reads.mock.calls.length).toBe(firstReads);
  });

  it('reads the store again after a rename, a new notebook and an archive, and shows each', async () => {
    const { deps, ids, titles, cached } = await cachedDeps();
    await cached();
    await updateNotebook(deps, { user: people.alice, notebookId: ids[0]!, patch: { title: 'renamed' } });
    expect(await titles()).toEqual(['org', 'team', 'renamed']);
    await cached();
    await createNotebook(deps, { user: people.alice, title: 'new', visibility: 'private', tags: [] });
    expect(await titles()).toEqual(['new', 'org', 'team', 'renamed']);
    await cached();
    await archiveNotebook(deps, { user: people.alice, notebookId: ids[2]! });
    expect(await titles()).toEqual(['new', 'team', 'renamed']);
  });

  it('keeps nothing read in the settle window after the stamp moved, when an index may still lag', async () => {
    const { reads, titles } = await cachedDeps();
    await titles();
    const once = reads.mock.calls.length;
    await titles();
    expect(reads.mock.calls.length).toBe(2 * once);
  });

  it('keeps each caller its own page: a teammate, an outsider and the owner see what they may', async () => {
    const { clock, reads, titles } = await cachedDeps();
    for (let round = 0; round < 3; round += 1) {
      if (round === 1) clock.advance(LIMITS.settleMs);
      if (round === 2) reads.mockClear();
      expect(await titles(people.alice)).toEqual(['org', 'team', 'private']);
      expect(await titles(people.amir)).toEqual(['org', 'team']);
      expect(await titles(people.bob)).toEqual(['org']);
      expect(await titles({ ...people.bob, teams: ['risk', 'ads'] })).toEqual(['org', 'team']);
    }
    expect(reads).not.toHaveBeenCalled();
  });

  it('drops a page older than the age limit even when the stamp stands', async () => {
    const { clock, reads, titles, cached } = await cachedDeps();
    await cached();
    await titles();
    reads.mockClear();
    await titles();
    expect(reads).not.toHaveBeenCalled();
    clock.advance(LIMITS.maxAgeMs + 1);
    await titles();
    expect(reads).toHaveBeenCalled();
  });
});

describe('ListingCache', () => {
  const page = (n: number) => ({ items: Array.from({ length: n }, (_, i) => i) });
  const small = () => new ListingCache<{ items: number[] }>({ ...LIMITS, maxItems: 25, settleMs: 0 }, new FakeClock());
  // The page the cache answers with, and whether it had to load it.
  const ask = async (cache: ReturnType<typeof small>, key: string, stamp: string, n = 9) => {
    let loaded = false;
    const got = await cache.page(key, stamp, async () => {
      loaded = true;
      return page(n);
    });
    return { got, loaded };
  };

  it('drops the least recently used pages once it holds its limit of items', async () => {
    const cache = small();
    for (const key of ['a', 'b']) await ask(cache, key, 's1');
    expect(await ask(cache, 'a', 's1')).toEqual({ got: page(9), loaded: false });
    await ask(cache, 'c', 's1');
    expect((await ask(cache, 'b', 's1')).loaded).toBe(true);
    expect((await ask(cache, 'c', 's1')).loaded).toBe(false);
  });

  it('serves nothing under another stamp and keeps no page bigger than the whole cache', async () => {
    const cache = small();
    await ask(cache, 'a', 's1', 5);
    expect((await ask(cache, 'a', 's2', 5)).loaded).toBe(true);
    expect((await ask(cache, 'a', 's1', 5)).loaded).toBe(true);
    await ask(cache, 'big', 's1', 30);
    expect((await ask(cache, 'big', 's1', 30)).loaded).toBe(true);
  });

  it('gives callers that miss the same page under the same stamp at once one read, and a failed read to all', async () => {
    const cache = small();
    let loads = 0;
    let release: (p: { items: number[] }) => void = () => undefined;
    const load = () => {
      loads += 1;
      return new Promise<{ items: number[] }>((r) => {
        release = r;
      });
    };
    const waiting = Array.from({ length: 5 }, () => cache.page('a', 's1', load));
    release(page(3));
    expect(await Promise.all(waiting)).toEqual(Array(5).fill(page(3)));
    expect(loads).toBe(1);
    const failing = [1, 2].map(() => cache.page('b', 's1', () => Promise.reject(new Error('store down'))));
    for (const f of failing) await expect(f).rejects.toThrow('store down');
    expect((await ask(cache, 'b', 's1')).loaded).toBe(true);
  });
});
