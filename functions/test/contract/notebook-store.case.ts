import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../src/domain/errors.ts';
import type { Notebook, NotebookVersion } from '../../src/domain/notebook.ts';
import { NO_PARAMETERS } from '../../src/domain/parameters.ts';
import type { Audience } from '../../src/domain/listing.ts';
import { titlePrefix } from '../../src/domain/listing-order.ts';
import type { ListSource, NotebookStore } from '../../src/ports/notebook-store.ts';

let counter = 0;
/** A private notebook of alice's, each newer than the last, with `over` applied. */
export const notebook = (over: Partial<Notebook> = {}): Notebook => {
  counter += 1;
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString();
  return {
    id: `nb-${String(counter).padStart(16, '0')}`,
    title: `Notebook ${counter}`,
    description: '',
    tags: [],
    group: null,
    visibility: 'private',
    owner: 'alice',
    team: 'ads',
    createdAt: at,
    updatedAt: at,
    latestVersion: 0,
    archived: false,
    ...over,
  };
};
const version = (notebookId: string, n: number): NotebookVersion => ({
  notebookId,
  version: n,
  author: 'alice',
  message: `v${n}`,
  sha256: 'a'.repeat(64),
  size: 10,
  createdAt: '2026-01-01T00:00:00.000Z',
  nbformat: 4,
  nbformatMinor: 5,
  kernel: { name: 'python3', displayName: 'Python 3', language: 'python' },
  parameters: NO_PARAMETERS,
});

const drain = async (store: NotebookStore, source: ListSource, limit: number): Promise<string[]> => {
  const ids: string[] = [];
  let before: string | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await store.listSource(source, { past: before, limit });
    ids.push(...page.items.map((n) => n.id));
    if (!page.next) return ids;
    before = page.next;
  }
  throw new Error('listing did not end');
};

/** The behaviour every NotebookStore must have; each adapter's test file runs it. */
export const notebookStoreContract = (name: string, make: () => Promise<NotebookStore>) =>
  describe(`NotebookStore contract: ${name}`, () => {
    it('reads back a created notebook exactly and answers null for an unknown id', async () => {
      const store = await make();
      const nb = notebook({ tags: ['a', 'b'], group: 'ads/reports', description: 'd' });
      await store.createNotebook(nb);
      expect(await store.getNotebook(nb.id)).toEqual(nb);
      expect(await store.getNotebook('nb-nothing-here-000')).toBeNull();
    });

    it('refuses to create a notebook whose id exists', async () => {
      const store = await make();
      const nb = notebook();
      await store.createNotebook(nb);
      await expect(store.createNotebook(nb)).rejects.toBeInstanceOf(ConflictError);
    });

    it('refuses a second version with the same number and reports the highest written', async () => {
      const store = await make();
      const nb = notebook();
      await store.createNotebook(nb);
      expect(await store.highestVersion(nb.id)).toBe(0);
      await store.putVersion(version(nb.id, 1));
      await store.putVersion(version(nb.id, 2));
      await expect(store.putVersion(version(nb.id, 2))).rejects.toMatchObject({ code: 'version_taken' });
      expect(await store.highestVersion(nb.id)).toBe(2);
      expect(await store.getVersion(nb.id, 2)).toEqual(version(nb.id, 2));
      expect(await store.getVersion(nb.id, 3)).toBeNull();
    });

    it('pages through versions oldest first without gaps', async () => {
      const store = await make();
      const nb = notebook();
      await store.createNotebook(nb);
      for (let n = 1; n <= 7; n += 1) await store.putVersion(version(nb.id, n));
      const seen: number[] = [];
      let after: number | undefined;
      do {
        const page = await store.listVersions(nb.id, { after, limit: 3 });
        seen.push(...page.items.map((v) => v.version));
        after = page.next;
      } while (after !== undefined);
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it('raises latestVersion but never lowers it', async () => {
      const store = await make();
      const nb = notebook();
      await store.createNotebook(nb);
      await store.advanceLatestVersion(nb.id, 3, '2026-02-01T00:00:00.000Z');
      await store.advanceLatestVersion(nb.id, 2, '2026-02-02T00:00:00.000Z');
      expect((await store.getNotebook(nb.id))?.latestVersion).toBe(3);
    });

    it('counts a version written without raising latestVersion (a commit that crashed between its two writes) as the latest', async () => {
      // Prepare
      const store = await make();
      const nb = notebook({ latestVersion: 1 });
      await store.putVersion(version(nb.id, 1));
      await store.createNotebook(nb);
      await store.putVersion({ ...version(nb.id, 2), createdAt: '2026-03-01T00:00:00.000Z' });
      // Act
      const read = await store.getNotebook(nb.id);
      const again = await store.getNotebook(nb.id);
      // Assess
      expect(read).toMatchObject({ latestVersion: 2, updatedAt: '2026-03-01T00:00:00.000Z' });
      expect(again).toEqual(read);
      expect(await store.highestVersion(nb.id)).toBe(2);
    });

    it('never loses a raised latestVersion to an edit that raced it', async () => {
      const store = await make();
      const nb = notebook();
      await store.createNotebook(nb);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => [
          store.advanceLatestVersion(nb.id, i + 1, `2026-02-01T00:00:0${i}.000Z`),
          store.updateNotebook(nb.id, { description: `edit ${i}`, updatedAt: `2026-02-02T00:00:0${i}.000Z` }),
        ]).flat(),
      );
      expect((await store.getNotebook(nb.id))?.latestVersion).toBe(10);
    });

    it('lists each source newest first across pages, with nothing twice', async () => {
      const store = await make();
      const made: Notebook[] = [];
      for (let i = 0; i < 9; i += 1) {
        const nb = notebook({
          owner: i % 2 ? 'alice' : 'bob',
          visibility: i % 3 === 0 ? 'org' : 'team',
          team: 'ads',
          group: 'g1',
          tags: ['t1'],
        });
        made.push(nb);
        await store.createNotebook(nb);
      }
      const newest = (f: (n: Notebook) => boolean) =>
        made
          .filter(f)
          .reverse()
          .map((n) => n.id);
      expect(await drain(store, { kind: 'owner', owner: 'alice' }, 2)).toEqual(newest((n) => n.owner === 'alice'));
      expect(await drain(store, { kind: 'org' }, 2)).toEqual(newest((n) => n.visibility === 'org'));
      expect(await drain(store, { kind: 'team', team: 'ads' }, 4)).toEqual(newest((n) => n.visibility === 'team'));
      expect(await drain(store, { kind: 'group', group: 'g1' }, 5)).toEqual(newest(() => true));
      expect(await drain(store, { kind: 'tag', tag: 't1' }, 3)).toEqual(newest(() => true));
      const all = await drain(store, { kind: 'all' }, 4);
      expect(all.filter((id) => made.some((n) => n.id === id))).toEqual(newest(() => true));
    });

    it('lists each notebook exactly as reading it answers, every field set, from every kind of source', async () => {
      const store = await make();
      const nb = notebook({
        description: 'All fields set',
        tags: ['every', 'field'],
        group: 'g-full',
        visibility: 'org',
        owner: 'alice',
        team: 'ads',
        latestVersion: 3,
      });
      await store.createNotebook(nb);
      const read = await store.getNotebook(nb.id);
      const sources: ListSource[] = [
        { kind: 'owner', owner: 'alice' },
        { kind: 'org' },
        { kind: 'group', group: 'g-full' },
        { kind: 'tag', tag: 'every' },
        { kind: 'all' },
        { kind: 'tag', tag: 'field', audience: { kind: 'org' } },
        { kind: 'group', group: 'g-full', audience: { kind: 'org' } },
        { kind: 'owner', owner: 'alice', audience: { kind: 'org' } },
      ];
      for (const source of sources) {
        const listed = (await store.listSource(source, { limit: 50 })).items.find((n) => n.id === nb.id);
        expect(listed, source.kind).toEqual(read);
      }
      expect(read).toMatchObject({ description: 'All fields set', latestVersion: 3, team: 'ads', group: 'g-full' });
    });

    it('moves a notebook between listings when its tags, group and visibility change', async () => {
      const store = await make();
      const nb = notebook({ tags: ['old'], group: 'g-old', visibility: 'team' });
      await store.createNotebook(nb);
      const updated = await store.updateNotebook(nb.id, {
        tags: ['new'],
        group: 'g-new',
        visibility: 'org',
        title: 'Renamed',
        updatedAt: '2026-03-01T00:00:00.000Z',
      });
      expect(updated).toMatchObject({ tags: ['new'], group: 'g-new', visibility: 'org', title: 'Renamed' });
      expect(await drain(store, { kind: 'tag', tag: 'old' }, 10)).toEqual([]);
      expect(await drain(store, { kind: 'tag', tag: 'new' }, 10)).toEqual([nb.id]);
      expect(await drain(store, { kind: 'group', group: 'g-old' }, 10)).toEqual([]);
      expect(await drain(store, { kind: 'group', group: 'g-new' }, 10)).toEqual([nb.id]);
      expect(await drain(store, { kind: 'team', team: 'ads' }, 10)).toEqual([]);
      expect(await drain(store, { kind: 'org' }, 10)).toContain(nb.id);
    });

    it('puts each live notebook in one audience: its owner alone, its team, or the org, and moves it on an edit', async () => {
      const store = await make();
      const owner = `own-${counter}`;
      const mine = (visibility: Notebook['visibility'], team: string | null = 'ads') =>
        notebook({ owner, visibility, team });
      const [priv, teamless, team, org] = [mine('private'), mine('team', null), mine('team'), mine('org')];
      for (const nb of [priv, teamless, team, org]) await store.createNotebook(nb);
      await store.createNotebook(notebook({ owner: `other-${counter}`, visibility: 'private' }));
      const ownerOnly = () => drain(store, { kind: 'ownerOnly', owner }, 2);
      expect(await ownerOnly()).toEqual([teamless.id, priv.id]);
      // Until the store's indexing is done it may read another way: the same notebooks either way.
      expect(await store.advanceIndexing(100)).toEqual({ done: true, indexed: 0 });
      expect(await ownerOnly()).toEqual([teamless.id, priv.id]);
      expect(await drain(store, { kind: 'team', team: 'ads' }, 10)).toContain(team.id);
      expect(await drain(store, { kind: 'team', team: 'ads' }, 10)).not.toContain(teamless.id);
      await store.updateNotebook(priv.id, { visibility: 'org', updatedAt: '2026-03-01T00:00:00.000Z' });
      await store.updateNotebook(org.id, { visibility: 'private', updatedAt: '2026-03-01T00:00:00.000Z' });
      expect(await ownerOnly()).toEqual([org.id, teamless.id]);
      await store.archiveNotebook(teamless.id, '2026-03-02T00:00:00.000Z');
      expect(await ownerOnly()).toEqual([org.id]);
    });

    it('lists a tag, group or owner per audience: each part holds its audience alone, and follows edits', async () => {
      const store = await make();
      const owner = `aud-${counter}`;
      const tag = `t-${counter}`;
      const group = `g-${counter}`;
      const mine = (visibility: Notebook['visibility']) =>
        notebook({ owner, visibility, team: 'ads', tags: [tag], group });
      const [priv, team, org] = [mine('private'), mine('team'), mine('org')];
      for (const nb of [priv, team, org]) await store.createNotebook(nb);
      const audiences: Audience[] = [{ kind: 'owner', owner }, { kind: 'team', team: 'ads' }, { kind: 'org' }];
      // Per audience (owner alone, team, org): the tag's part, the group's and the owner's.
      const parts = () =>
        Promise.all(
          audiences.map(async (audience) =>
            Promise.all([
              drain(store, { kind: 'tag', tag, audience }, 1),
              drain(store, { kind: 'group', group, audience }, 1),
              drain(store, { kind: 'owner', owner, audience }, 1),
            ]),
          ),
        );
      expect(await parts()).toEqual([
        [[priv.id], [priv.id], [priv.id]],
        [[team.id], [team.id], [team.id]],
        [[org.id], [org.id], [org.id]],
      ]);
      await store.updateNotebook(priv.id, { visibility: 'org', updatedAt: '2026-03-01T00:00:00.000Z' });
      await store.updateNotebook(team.id, { tags: [], group: null, updatedAt: '2026-03-01T00:00:00.000Z' });
      await store.archiveNotebook(org.id, '2026-03-02T00:00:00.000Z');
      expect(await parts()).toEqual([
        [[], [], []],
        [[], [], [team.id]],
        [[priv.id], [priv.id], [priv.id]],
      ]);
      const renamed = await store.updateNotebook(priv.id, { title: 'Renamed', updatedAt: '2026-03-03T00:00:00.000Z' });
      expect((await store.listSource({ kind: 'tag', tag, audience: { kind: 'org' } }, { limit: 5 })).items).toEqual([
        renamed,
      ]);
    });

    it('lists the titles that start with a prefix per audience and whole, by title across pages, following edits', async () => {
      const store = await make();
      const owner = `ttl-${counter}`;
      const word = `w${counter}x`;
      const mine = (title: string, visibility: Notebook['visibility']) =>
        notebook({ owner, title, visibility, team: 'ads' });
      const made = [
        mine(`${word} b`, 'org'),
        mine(`${word.toUpperCase()} a`, 'org'),
        mine(`${word} b`, 'team'),
        mine(`${word} 🚀`, 'org'),
        mine(`${word}`, 'private'),
        mine(`${word} \u0007bell`, 'org'),
        mine(`other ${word}`, 'org'),
      ];
      for (const nb of made) await store.createNotebook(nb);
      const prefix = titlePrefix(word.toUpperCase());
      const [b1, a, b2, rocket, bare, bell] = made.map((n) => n.id);
      const org = { kind: 'org' as const };
      expect(await drain(store, { kind: 'title', prefix, audience: org }, 2)).toEqual([bell, a, b1, rocket]);
      expect(await drain(store, { kind: 'title', prefix, audience: { kind: 'team', team: 'ads' } }, 1)).toEqual([b2]);
      expect(await drain(store, { kind: 'title', prefix, audience: { kind: 'owner', owner } }, 1)).toEqual([bare]);
      expect(await drain(store, { kind: 'title', prefix }, 2)).toEqual([bare, bell, a, b1, b2, rocket]);
      expect(await drain(store, { kind: 'title', prefix: titlePrefix(`${word} B`) }, 1)).toEqual([b1, b2]);
      await store.updateNotebook(rocket!, { title: `${word} 0`, updatedAt: '2026-03-01T00:00:00.000Z' });
      await store.updateNotebook(a!, { visibility: 'private', updatedAt: '2026-03-01T00:00:00.000Z' });
      await store.archiveNotebook(b1!, '2026-03-02T00:00:00.000Z');
      expect(await drain(store, { kind: 'title', prefix, audience: org }, 1)).toEqual([bell, rocket]);
      expect(await drain(store, { kind: 'title', prefix, audience: { kind: 'owner', owner } }, 1)).toEqual([bare, a]);
      expect(await drain(store, { kind: 'title', prefix }, 3)).toEqual([bare, bell, rocket, a, b2]);
      const renamed = (await store.getNotebook(rocket!))!;
      expect((await store.listSource({ kind: 'title', prefix, audience: org }, { limit: 5 })).items[1]).toEqual(
        renamed,
      );
    });

    it('keeps the tag and title listings true when ten edits of one notebook race', async () => {
      const store = await make();
      const nb = notebook({ tags: ['x0'] });
      await store.createNotebook(nb);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.updateNotebook(nb.id, {
            tags: [`x${i % 3}`, `y${i}`],
            title: `Race ${i % 4}`,
            updatedAt: `2026-03-01T00:00:0${i}.000Z`,
          }),
        ),
      );
      const final = (await store.getNotebook(nb.id))!;
      const audience: Audience = { kind: 'owner', owner: nb.owner };
      const check = async () => {
        for (const tag of ['x0', 'x1', 'x2', ...Array.from({ length: 10 }, (_, i) => `y${i}`)]) {
          const expected = final.tags.includes(tag) ? [nb.id] : [];
          expect(await drain(store, { kind: 'tag', tag }, 10)).toEqual(expected);
          expect(await drain(store, { kind: 'tag', tag, audience }, 10)).toEqual(expected);
        }
        for (const title of ['Race 0', 'Race 1', 'Race 2', 'Race 3', nb.title]) {
          const expected = final.title === title ? [nb.id] : [];
          expect(await drain(store, { kind: 'title', prefix: titlePrefix(title) }, 10)).toEqual(expected);
          expect(await drain(store, { kind: 'title', prefix: titlePrefix(title), audience }, 10)).toEqual(expected);
        }
      };
      await check();
      // Once the store's indexing is done a whole tag may be read another way: the same notebooks either way.
      while (!(await store.advanceIndexing(100)).done);
      await check();
    });

    it('hides an archived notebook from every listing, archives twice harmlessly, and refuses edits after', async () => {
      const store = await make();
      const nb = notebook({ tags: ['gone'], group: 'g-gone', visibility: 'org', owner: 'zed' });
      await store.createNotebook(nb);
      const archived = await store.archiveNotebook(nb.id, '2026-04-01T00:00:00.000Z');
      expect(archived).toMatchObject({ archived: true, archivedAt: '2026-04-01T00:00:00.000Z' });
      expect(await store.archiveNotebook(nb.id, '2026-05-01T00:00:00.000Z')).toMatchObject({
        archivedAt: '2026-04-01T00:00:00.000Z',
      });
      for (const source of [
        { kind: 'owner', owner: 'zed' },
        { kind: 'org' },
        { kind: 'group', group: 'g-gone' },
        { kind: 'tag', tag: 'gone' },
      ] as ListSource[]) {
        expect(await drain(store, source, 10)).not.toContain(nb.id);
      }
      expect((await store.getNotebook(nb.id))?.archived).toBe(true);
      await expect(
        store.updateNotebook(nb.id, { title: 'x', updatedAt: '2026-05-01T00:00:00.000Z' }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('moves the listing stamp on every write a listing can see, and leaves it on reads and refused writes', async () => {
      const store = await make();
      const seen = [await store.listingStamp()];
      const moved = async () => {
        const now = await store.listingStamp();
        const fresh = !seen.includes(now);
        seen.push(now);
        return fresh;
      };
      const nb = notebook({ visibility: 'org' });
      await store.createNotebook(nb);
      expect(await moved()).toBe(true);
      await expect(store.createNotebook(nb)).rejects.toBeInstanceOf(ConflictError);
      await store.getNotebook(nb.id);
      await store.listSource({ kind: 'org' }, { limit: 10 });
      expect(await moved()).toBe(false);
      await store.updateNotebook(nb.id, { title: 'renamed', updatedAt: '2026-03-01T00:00:00.000Z' });
      expect(await moved()).toBe(true);
      await store.putVersion(version(nb.id, 1));
      await store.advanceLatestVersion(nb.id, 1, '2026-03-02T00:00:00.000Z');
      expect(await moved()).toBe(true);
      await store.advanceLatestVersion(nb.id, 1, '2026-03-03T00:00:00.000Z');
      expect(await moved()).toBe(false);
      await store.putVersion(version(nb.id, 2));
      expect((await store.getNotebook(nb.id))?.latestVersion).toBe(2);
      expect(await moved()).toBe(true);
      await store.archiveNotebook(nb.id, '2026-04-01T00:00:00.000Z');
      expect(await moved()).toBe(true);
    });
  });
