import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import type { NotebookFilter } from '../../../src/domain/listing.ts';
import type { Visibility } from '../../../src/domain/notebook.ts';
import type { User } from '../../../src/domain/user.ts';
import { archiveNotebook } from '../../../src/use-cases/archive-notebook.ts';
import { updateNotebook } from '../../../src/use-cases/update-notebook.ts';
import { createNotebook } from '../../../src/use-cases/create-notebook.ts';
import { listNotebooks } from '../../../src/use-cases/list-notebooks.ts';
import { memoryDeps, people } from '../../support/fakes.ts';

type Deps = ReturnType<typeof memoryDeps>;

const seed = async (deps: Deps) => {
  const make = (user: User, title: string, visibility: Visibility, tags: string[] = [], group?: string) =>
    createNotebook(deps, { user, title, visibility, tags, group }).then((c) => c.notebook.id);
  return {
    alicePrivate: await make(people.alice, 'Alice private', 'private', ['q3']),
    aliceTeam: await make(people.alice, 'Alice team', 'team', ['q3'], 'ads/reports'),
    aliceOrg: await make(people.alice, 'Alice org', 'org', ['q4'], 'ads/reports'),
    bobTeam: await make(people.bob, 'Bob team', 'team', ['q3']),
    bobOrg: await make(people.bob, 'Bob org', 'org', ['q3'], 'risk'),
  };
};

const all = async (deps: Deps, user: User, filter = {}, limit = 50) => {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i += 1) {
    const page = await listNotebooks(deps, { user, filter, limit, cursor });
    ids.push(...page.items.map((n) => n.id));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('no end');
};

describe('listNotebooks', () => {
  it('shows each person what visibility lets them see, newest first', async () => {
    const deps = memoryDeps();
    const s = await seed(deps);
    expect(await all(deps, people.alice)).toEqual([s.bobOrg, s.aliceOrg, s.aliceTeam, s.alicePrivate]);
    expect(await all(deps, people.amir)).toEqual([s.bobOrg, s.aliceOrg, s.aliceTeam]);
    expect(await all(deps, people.bob)).toEqual([s.bobOrg, s.bobTeam, s.aliceOrg]);
    expect(await all(deps, people.loner)).toEqual([s.bobOrg, s.aliceOrg]);
    expect(await all(deps, people.root)).toEqual([s.bobOrg, s.bobTeam, s.aliceOrg, s.aliceTeam, s.alicePrivate]);
  });

  it('filters by tag, group, owner and title prefix, still applying visibility', async () => {
    const deps = memoryDeps();
    const s = await seed(deps);
    expect(await all(deps, people.amir, { tag: 'q3' })).toEqual([s.bobOrg, s.aliceTeam]);
    expect(await all(deps, people.bob, { group: 'ads/reports' })).toEqual([s.aliceOrg]);
    expect(await all(deps, people.bob, { owner: 'alice' })).toEqual([s.aliceOrg]);
    expect(await all(deps, people.alice, { q: 'alice T' })).toEqual([s.aliceTeam]);
    expect(await all(deps, people.alice, { tag: 'q3', owner: 'bob', q: 'bob' })).toEqual([s.bobOrg]);
    // A search of one's own notebooks filters the owner index, newest first.
    expect(await all(deps, people.alice, { tag: 'q3', owner: 'alice', q: 'alice' })).toEqual([
      s.aliceTeam,
      s.alicePrivate,
    ]);
  });

  it('lists title matches by title in any case, the same titles oldest first, paging with no gap', async () => {
    const deps = memoryDeps();
    const titles = ['report b', 'Report A', 'Other', 'REPORT', 'report b', 'Report 10', 'report 9'];
    const ids: Record<string, string[]> = {};
    for (const [i, title] of titles.entries()) {
      const user = [people.alice, people.amir, people.bob][i % 3]!;
      const { notebook } = await createNotebook(deps, { user, title, visibility: i % 2 ? 'team' : 'org' });
      ids[title] = [...(ids[title] ?? []), notebook.id];
    }
    // Report 10 is bob's, for his team alone; the rest are the org's or alice's team's.
    expect(await all(deps, people.alice, { q: 'rePort' }, 2)).toEqual(
      [ids.REPORT, ids['report 9'], ids['Report A'], ids['report b']].flat(),
    );
    expect(await all(deps, people.bob, { q: 'report' }, 2)).toEqual(
      [ids['Report 10'], ids['report 9'], ids['report b']].flat(),
    );
  });

  it("lists a search of one's own notebooks newest first, with team ones of a team they have left", async () => {
    const deps = memoryDeps();
    await createNotebook(deps, { user: people.alice, title: 'Plan old team', visibility: 'team' });
    await createNotebook(deps, { user: people.alice, title: 'Plan private' });
    const alone = { ...people.alice, teams: [] };
    const ids = async (filter: NotebookFilter) =>
      (await listNotebooks(deps, { user: alone, filter, limit: 10 })).items.map((n) => n.title);
    expect(await ids({ q: 'plan', owner: 'alice' })).toEqual(['Plan private', 'Plan old team']);
    expect(await ids({ q: 'plan' })).toEqual(['Plan private']);
  });

  it('seals a cursor to its order, so a search cursor from newest first is refused once titles are indexed', async () => {
    const deps = memoryDeps();
    for (let i = 0; i < 3; i += 1) await createNotebook(deps, { user: people.alice, title: `n${i}` });
    deps.notebooks.indexesTitles = async () => false;
    const page = await listNotebooks(deps, { user: people.alice, filter: { q: 'n' }, limit: 1 });
    expect(page.items.map((n) => n.title)).toEqual(['n2']);
    deps.notebooks.indexesTitles = async () => true;
    await expect(
      listNotebooks(deps, { user: people.alice, filter: { q: 'n' }, limit: 1, cursor: page.nextCursor! }),
    ).rejects.toMatchObject({ code: 'invalid_cursor' });
    expect((await listNotebooks(deps, { user: people.alice, filter: { q: 'n' }, limit: 1 })).items[0]?.title).toBe(
      'n0',
    );
  });

  it('pages through many notebooks from several sources with no gap and nothing twice', async () => {
    const deps = memoryDeps();
    const expected: string[] = [];
    for (let i = 0; i < 23; i += 1) {
      const user = [people.alice, people.amir, people.bob][i % 3]!;
      const visibility: Visibility = (['private', 'team', 'org'] as const)[i % 3]!;
      const { notebook } = await createNotebook(deps, { user, title: `n${i}`, visibility });
      if (user.id === 'alice' || visibility === 'org' || (visibility === 'team' && user.teams.includes('ads')))
        expected.unshift(notebook.id);
    }
    expect(await all(deps, people.alice, {}, 4)).toEqual(expected);
  });

  it('refuses a tampered cursor and a cursor from another filter', async () => {
    const deps = memoryDeps();
    for (let i = 0; i < 3; i += 1) await createNotebook(deps, { user: people.alice, title: `n${i}`, tags: ['t'] });
    const page = await listNotebooks(deps, { user: people.alice, filter: { tag: 't' }, limit: 1 });
    const cursor = page.nextCursor!;
    const flipped = `${cursor.slice(0, 2)}${cursor[2] === 'A' ? 'B' : 'A'}${cursor.slice(3)}`;
    await expect(
      listNotebooks(deps, { user: people.alice, filter: { tag: 't' }, limit: 1, cursor: flipped }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(listNotebooks(deps, { user: people.alice, filter: {}, limit: 1, cursor })).rejects.toMatchObject({
      code: 'invalid_cursor',
    });
    await expect(
      listNotebooks(deps, { user: people.alice, filter: { tag: 't' }, limit: 1, cursor: 'garbage' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('drops archived notebooks from every listing and follows edits of tags and visibility', async () => {
    const deps = memoryDeps();
    const s = await seed(deps);
    await archiveNotebook(deps, { user: people.alice, notebookId: s.aliceOrg });
    await updateNotebook(deps, {
      user: people.bob,
      notebookId: s.bobTeam,
      patch: { visibility: 'org', tags: ['moved'] },
    });
    expect(await all(deps, people.loner)).toEqual([s.bobOrg, s.bobTeam]);
    expect(await all(deps, people.alice, { tag: 'moved' })).toEqual([s.bobTeam]);
    expect(await all(deps, people.alice)).not.toContain(s.aliceOrg);
  });

  it('asks each source for twice as much while the filter keeps nothing, and for its share once it keeps some', async () => {
    const deps = memoryDeps();
    // While titles are being indexed a search filters the newest-first merge, as here.
    deps.notebooks.indexesTitles = async () => false;
    for (let i = 0; i < 120; i += 1)
      await createNotebook(deps, { user: people.bob, title: i === 5 ? 'Needle' : `Hay ${i}`, visibility: 'org' });
    const asked: number[] = [];
    const listSource = deps.notebooks.listSource.bind(deps.notebooks);
    deps.notebooks.listSource = async (source, page) => {
      if (source.kind === 'org') asked.push(page.limit);
      return listSource(source, page);
    };
    const page = await listNotebooks(deps, { user: people.loner, filter: { q: 'needle' }, limit: 1 });
    expect(page.items.map((n) => n.title)).toEqual(['Needle']);
    expect(asked).toEqual([5, 10, 20, 40, 80]);
  });
});
