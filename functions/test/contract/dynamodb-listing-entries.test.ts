import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbNotebookStore } from '../../src/adapters/aws/dynamodb-notebook-store.ts';
import { ListingEntries, PENDING_PARTITION } from '../../src/adapters/aws/dynamodb-listing-entries.ts';
import { toNotebookItem } from '../../src/adapters/aws/notebook-items.ts';
import { HmacCursorCodec } from '../../src/adapters/system/hmac-cursor-codec.ts';
import type { NotebookFilter } from '../../src/domain/listing.ts';
import { titlePrefix } from '../../src/domain/listing-order.ts';
import { canRead, type Notebook } from '../../src/domain/notebook.ts';
import type { User } from '../../src/domain/user.ts';
import type { ListSource } from '../../src/ports/notebook-store.ts';
import { listNotebooks } from '../../src/use-cases/list-notebooks.ts';
import { people } from '../support/fakes.ts';
import { startEmulators } from '../support/emulators.ts';
import { notebook as anyNotebook } from './notebook-store.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

// A team notebook of alice's tagged ml in a group, unless `over` says otherwise.
const notebook = (over: Partial<Notebook> = {}): Notebook =>
  anyNotebook({ tags: ['ml'], group: 'ads/reports', visibility: 'team', ...over });

const cursors = new HmacCursorCodec('test');
const list = async (store: DynamoDbNotebookStore, user: User, filter: NotebookFilter) =>
  (await listNotebooks({ notebooks: store, cursors }, { user, filter, limit: 50 })).items;
const pending = async (table: string) =>
  (
    await emulators.doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': PENDING_PARTITION },
      }),
    )
  ).Items ?? [];
const finish = async (store: DynamoDbNotebookStore) => {
  while (!(await store.advanceIndexing(100)).done);
};

describe('Listing entries, which filtered listings read', () => {
  it('list an edit that died after writing its notebook as the notebook now is, until a repair rewrites them', async () => {
    const table = await emulators.newTable();
    const store = new DynamoDbNotebookStore(emulators.doc, table, { repairAfterMs: 0 });
    const nb = notebook();
    await store.createNotebook(nb);
    await finish(store);
    // A second client whose entry writes fail after the notebook item is written: the process dies there.
    const dying = emulators.newDoc();
    dying.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Item?: { entity?: string } };
        if (input.Item?.entity === 'listing-entry') throw new Error('the process died');
        return next(args);
      },
      { step: 'initialize', name: 'dieBeforeEntries' },
    );
    const edits = new DynamoDbNotebookStore(dying, table);
    await expect(
      edits.updateNotebook(nb.id, {
        title: 'Moved to the org',
        tags: ['ml', 'new'],
        visibility: 'org',
        updatedAt: '2026-02-01T00:00:00.000Z',
      }),
    ).rejects.toThrow('the process died');
    const now = await store.getNotebook(nb.id);
    expect(now).toMatchObject({ title: 'Moved to the org', visibility: 'org' });
    expect(await pending(table)).not.toHaveLength(0);
    const check = async () => {
      // bob is in another team: he sees it only now it is the org's.
      for (const user of [people.alice, people.bob, people.root]) {
        for (const filter of [{ tag: 'ml' }, { tag: 'new' }, { group: 'ads/reports' }] as NotebookFilter[]) {
          expect(await list(store, user, filter), `${user.id} ${JSON.stringify(filter)}`).toEqual([now]);
        }
      }
      expect(await list(store, people.bob, { owner: 'alice' })).toEqual([now]);
      // Its title entries: the new title's lists it, the old title's is left for nothing.
      for (const user of [people.alice, people.bob, people.root]) {
        expect(await list(store, user, { q: 'MOVED to' })).toEqual([now]);
        expect(await list(store, user, { q: 'notebook' })).toEqual([]);
      }
    };
    await check();
    await store.advanceIndexing(100);
    expect(await pending(table)).toHaveLength(0);
    await check();
  });

  it('are left pending by no write that finished, however many race', async () => {
    const table = await emulators.newTable();
    const store = new DynamoDbNotebookStore(emulators.doc, table);
    const nb = notebook();
    await store.createNotebook(nb);
    // Edits after the archive are refused (404): every write has ended, refused or not, before the look.
    await Promise.allSettled([
      ...Array.from({ length: 8 }, (_, i) =>
        store.updateNotebook(nb.id, {
          tags: [`t${i % 3}`],
          title: `Title ${i % 2}`,
          updatedAt: `2026-03-01T00:00:0${i}.000Z`,
        }),
      ),
      ...Array.from({ length: 6 }, (_, i) => store.advanceLatestVersion(nb.id, i + 1, '2026-03-02T00:00:00.000Z')),
      store.archiveNotebook(nb.id, '2026-03-03T00:00:00.000Z').then(() => store.archiveNotebook(nb.id, 'again')),
    ]);
    expect(await pending(table)).toEqual([]);
    const now = (await store.getNotebook(nb.id))!;
    expect(now.latestVersion).toBe(6);
    for (const tag of ['t0', 't1', 't2', 'ml']) {
      const listed = await list(store, people.alice, { tag });
      expect(listed).toEqual(!now.archived && now.tags.includes(tag) ? [now] : []);
    }
    for (const q of ['title 0', 'title 1', 'notebook']) {
      const listed = await list(store, people.alice, { q });
      expect(listed).toEqual(!now.archived && now.title.toLowerCase().startsWith(q) ? [now] : []);
    }
  });

  it('cannot be brought back by a writer that finishes after a later edit took the notebook out', async () => {
    const table = await emulators.newTable();
    const entries = new ListingEntries(emulators.doc, table);
    const before = notebook({ tags: ['old'] });
    const later = { ...before, tags: ['other'], updatedAt: '2026-03-01T00:00:00.000Z' };
    const old = { kind: 'tag', tag: 'old', audience: { kind: 'team', team: 'ads' } } as const;
    const store = new DynamoDbNotebookStore(emulators.doc, table);
    await emulators.doc.send(new PutCommand({ TableName: table, Item: toNotebookItem(later, 3) }));
    // Revision 3 took the tag away; revision 2's writer, slow, writes its entries after it.
    await entries.write(before.id, later, 3, entries.touched([before, later]));
    await entries.write(before.id, before, 2, []);
    expect((await store.listSource(old, { limit: 10 })).items).toEqual([]);
    const tagged = { kind: 'tag', tag: 'other', audience: old.audience } as ListSource;
    expect((await store.listSource(tagged, { limit: 10 })).items).toEqual([later]);
  });

  it('are written for notebooks from before them; listings read them once every notebook has its own', async () => {
    const table = await emulators.newTable();
    const store = new DynamoDbNotebookStore(emulators.doc, table);
    const old = [notebook({ visibility: 'org' }), notebook({ visibility: 'private' }), notebook()];
    const hints = new DynamoDbNotebookStore(emulators.doc, table);
    for (const nb of old) {
      // As a release before listing entries wrote them: the item without entriesRev, and a tag hint.
      const { entriesRev: _, ...item } = toNotebookItem(nb, 1);
      await emulators.doc.send(new PutCommand({ TableName: table, Item: item }));
      await emulators.doc.send(
        new PutCommand({
          TableName: table,
          Item: { PK: 'TAG#ml', SK: `${nb.createdAt}#${nb.id}`, notebookId: nb.id, rev: 1, entity: 'tag' },
        }),
      );
    }
    const fresh = notebook({ visibility: 'org' });
    await hints.createNotebook(fresh);
    const expected = (user: User) => [fresh, ...old].filter((nb) => canRead(user, nb));
    const sorted = (nbs: Notebook[]) =>
      nbs
        .map((nb) => nb.id)
        .sort()
        .reverse();
    expect(await store.listsByAudience()).toBe(false);
    const steps = [];
    // Two notebooks a step: a pass that writes the three old ones' entries, then a whole pass that finds none.
    while (!steps.at(-1)?.done && steps.length < 10) {
      for (const user of [people.alice, people.bob, people.root]) {
        expect((await list(store, user, { tag: 'ml' })).map((nb) => nb.id)).toEqual(sorted(expected(user)));
      }
      steps.push(await store.advanceIndexing(2));
    }
    expect(steps.map((s) => s.done)).toEqual([false, false, false, false, false, true]);
    expect(steps.reduce((sum, s) => sum + s.indexed, 0)).toBe(3);
    expect(await store.listsByAudience()).toBe(true);
    const item = await emulators.doc.send(
      new GetCommand({ TableName: table, Key: { PK: `NB#${old[0]!.id}`, SK: 'META' } }),
    );
    expect(item.Item?.entriesRev).toBe(1);
    for (const user of [people.alice, people.bob, people.root]) {
      expect((await list(store, user, { tag: 'ml' })).map((nb) => nb.id)).toEqual(sorted(expected(user)));
      expect((await list(store, user, { group: 'ads/reports' })).map((nb) => nb.id)).toEqual(sorted(expected(user)));
    }
  });

  it('list a notebook an edit is moving between audiences once in a whole partition, wherever a page ends', async () => {
    for (const [from, to] of [
      ['org', 'team'],
      ['team', 'org'],
    ] as const) {
      const table = await emulators.newTable();
      const store = new DynamoDbNotebookStore(emulators.doc, table);
      const nb = notebook({ visibility: from, title: 'Moving', tags: ['mv'] });
      await store.createNotebook(nb);
      await finish(store);
      const moved = { ...nb, visibility: to, updatedAt: '2026-03-01T00:00:00.000Z' };
      // An edit caught between its item and its entries: both audiences' entries pending, at one sort key.
      await new ListingEntries(emulators.doc, table).mark([nb, moved], 2, new Date().toISOString());
      await emulators.doc.send(new PutCommand({ TableName: table, Item: toNotebookItem(moved, 2) }));
      const sources: ListSource[] = [
        { kind: 'title', prefix: titlePrefix('mov') },
        { kind: 'tag', tag: 'mv' },
      ];
      for (const source of sources) {
        const ids: string[] = [];
        let past: string | undefined;
        do {
          const page = await store.listSource(source, { past, limit: 1 });
          ids.push(...page.items.map((n) => n.id));
          past = page.next;
        } while (past !== undefined);
        expect(ids, `${from} to ${to}, ${source.kind}`).toEqual([nb.id]);
      }
    }
  });

  it('are written with titles for notebooks from before title entries; searches read by title once all have one', async () => {
    const table = await emulators.newTable();
    const store = new DynamoDbNotebookStore(emulators.doc, table);
    const titles = ['Beta plan', 'alpha run', 'Alpha', 'beta'];
    const old = titles.map((title, i) => notebook({ title, visibility: (['org', 'private', 'team'] as const)[i % 3] }));
    for (const nb of old) {
      // As the release before title entries wrote them: the item without titlesRev and with no title entry.
      const { titlesRev: _, ...item } = toNotebookItem(nb, 1);
      await emulators.doc.send(new PutCommand({ TableName: table, Item: item }));
    }
    const search = async (user: User, q: string) => (await list(store, user, { q })).map((nb) => nb.title);
    const matches = (user: User, q: string) =>
      old.filter((nb) => canRead(user, nb) && nb.title.toLowerCase().startsWith(q)).map((nb) => nb.title);
    expect(await store.indexesTitles()).toBe(false);
    // Meanwhile a search filters the newest-first listing: every match, newest first.
    for (const user of [people.alice, people.bob, people.root]) {
      expect(await search(user, 'alpha')).toEqual(matches(user, 'alpha').reverse());
    }
    await finish(store);
    expect(await store.indexesTitles()).toBe(true);
    const item = await emulators.doc.send(
      new GetCommand({ TableName: table, Key: { PK: `NB#${old[0]!.id}`, SK: 'META' } }),
    );
    expect(item.Item?.titlesRev).toBe(1);
    for (const user of [people.alice, people.bob, people.root]) {
      for (const q of ['alpha', 'beta']) expect(await search(user, q)).toEqual(matches(user, q).sort(byLowerCase));
    }
  });
});

const byLowerCase = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1);
