import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbNotebookStore } from '../../src/adapters/aws/dynamodb-notebook-store.ts';
import { toNotebookItem } from '../../src/adapters/aws/notebook-items.ts';
import { countReads, type ReadCounter } from '../../src/adapters/aws/read-counter.ts';
import { HmacCursorCodec } from '../../src/adapters/system/hmac-cursor-codec.ts';
import { listingOrder, listingScope, planSources, type NotebookFilter } from '../../src/domain/listing.ts';
import { compareKeys, positionOf } from '../../src/domain/listing-order.ts';
import type { Notebook, Visibility } from '../../src/domain/notebook.ts';
import type { User } from '../../src/domain/user.ts';
import { finishIndexing } from '../../src/use-cases/advance-indexing.ts';
import { listingIndexes, listNotebooks, type ListNotebooksDeps } from '../../src/use-cases/list-notebooks.ts';
import { people } from '../support/fakes.ts';
import { startEmulators } from '../support/emulators.ts';

// Owners, visibilities, tags and groups interleaved newest to oldest, as a shared workspace has them.
const OWNERS = ['alice', 'bob', 'amir', 'carol'];
const VISIBILITY: Visibility[] = ['org', 'team', 'private', 'org', 'team'];
const TEAM_OF: Record<string, string> = { alice: 'ads', amir: 'ads', bob: 'risk', carol: 'risk' };

const seeded = (i: number): Notebook => {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  const owner = OWNERS[i % OWNERS.length]!;
  return {
    id: `nb-${String(i).padStart(6, '0')}`,
    title: `Notebook ${i}`,
    description: '',
    tags: [`tag-${i % 3}`],
    group: `g/${i % 2}`,
    visibility: VISIBILITY[i % VISIBILITY.length]!,
    owner,
    team: TEAM_OF[owner]!,
    createdAt: at,
    updatedAt: at,
    latestVersion: 0,
    archived: false,
  };
};

let emulators: Awaited<ReturnType<typeof startEmulators>>;
let store: DynamoDbNotebookStore;
let deps: ListNotebooksDeps;
let counter: ReadCounter;

beforeAll(async () => {
  emulators = await startEmulators();
  store = new DynamoDbNotebookStore(emulators.doc, await emulators.newTable());
  for (let i = 0; i < 400; i += 20) {
    await Promise.all(Array.from({ length: 20 }, (_, j) => store.createNotebook(seeded(i + j))));
  }
  await finishIndexing({ notebooks: store });
  deps = { notebooks: store, cursors: new HmacCursorCodec('test') };
  // A store reads once that each backfill is done (one GetItem), then never again.
  for (const filter of [{}, { tag: 'tag-0', q: 'N' }])
    await listNotebooks(deps, { user: people.alice, filter, limit: 1 });
  counter = countReads(emulators.doc);
}, 60_000);
afterAll(async () => {
  await emulators?.close();
});

const indexes = (user: User, filter: NotebookFilter) => listingIndexes(store, user, filter);

// What merging the sources must read to reach the page's last position: each source's items from where the
// page starts to it.
const needed = async (user: User, filter: NotebookFilter, from: string | undefined, to: string | undefined) => {
  const order = listingOrder(filter, (await indexes(user, filter)).byTitle);
  let n = 0;
  for (const source of planSources(user, filter, await indexes(user, filter))) {
    const { items } = await store.listSource(source, { past: from, limit: 1000 });
    const reached = (nb: Notebook) =>
      to === undefined || compareKeys(positionOf(order, nb), to) * (order === 'title' ? 1 : -1) <= 0;
    n += items.filter(reached).length;
  }
  return n;
};

const page = async (user: User, filter: NotebookFilter, cursor?: string) => {
  counter.reset();
  const out = await listNotebooks(deps, { user, filter, limit: 50, cursor });
  const reads = { ...counter.count };
  const order = listingOrder(filter, (await indexes(user, filter)).byTitle);
  const scope = listingScope(filter, order);
  const last = out.items.at(-1);
  const to = out.nextCursor ? deps.cursors.decode(scope, out.nextCursor) : last ? positionOf(order, last) : undefined;
  const must = await needed(user, filter, cursor ? deps.cursors.decode(scope, cursor) : undefined, to);
  return { ...out, reads, must };
};

describe('What a listing page reads from DynamoDB', () => {
  it.each([
    ['alice, merging her own, her team and the org', people.alice],
    ['bob, of another team', people.bob],
    ['a user in no team', people.loner],
    ['an admin', people.root],
  ])(
    'reads about the page and little beyond what the merge needs, with no Scan and no read by key, for %s',
    async (_, user) => {
      const first = await page(user, {});
      const second = await page(user, {}, first.nextCursor ?? undefined);
      for (const p of [first, second]) {
        expect(p.items).toHaveLength(50);
        expect(p.reads.items).toBeLessThanOrEqual(Math.ceil(1.2 * p.must));
        expect(p.reads.items).toBeLessThanOrEqual(60);
        expect(p.reads.scans).toBe(0);
        expect(p.reads.keyReads).toBe(0);
      }
    },
  );
});

describe('What a filtered listing page reads from DynamoDB', () => {
  it.each([
    ['a tag', { tag: 'tag-1' }],
    ['a group', { group: 'g/0' }],
    ['another user as owner', { owner: 'bob' }],
    ['their own notebooks', { owner: 'alice' }],
    ['a title prefix whose matches are the oldest', { q: 'notebook 1' }],
  ] as [string, NotebookFilter][])(
    'reads about the page for %s, for users of one team, another and none, and admins',
    async (_, filter) => {
      for (const user of [people.alice, people.bob, people.loner, people.root]) {
        const first = await page(user, filter);
        const pages = first.nextCursor ? [first, await page(user, filter, first.nextCursor)] : [first];
        for (const p of pages) {
          const label = `${user.id} ${JSON.stringify(filter)}: ${p.items.length} listed, ${p.reads.items} read`;
          expect(p.reads.items, label).toBeLessThanOrEqual(Math.ceil(1.2 * p.must));
          expect(p.reads.items, label).toBeLessThanOrEqual(60);
          expect(p.reads.scans).toBe(0);
          expect(p.reads.keyReads, label).toBe(0);
        }
      }
    },
  );
});

describe('Notebooks written before private ones had an audience partition', () => {
  it('list for their owner before, during and after the backfill, which indexes each once and then says done', async () => {
    const table = await emulators.newTable();
    const old = new DynamoDbNotebookStore(emulators.doc, table);
    const mine = (i: number, visibility: Visibility): Notebook => ({ ...seeded(1000 + i), owner: 'loner', visibility });
    const written = [mine(0, 'private'), mine(1, 'org'), mine(2, 'private'), mine(3, 'private')];
    for (const nb of written) {
      const { GSI2PK, GSI2SK, ...item } = toNotebookItem(nb, 1);
      // As a release before audience partitions wrote them: a private notebook had no gsi2 key.
      const asBefore = nb.visibility === 'private' ? item : { ...item, GSI2PK, GSI2SK };
      await emulators.doc.send(new PutCommand({ TableName: table, Item: asBefore }));
    }
    const fresh = mine(4, 'private');
    await old.createNotebook(fresh);
    const listed = async () =>
      (
        await listNotebooks({ notebooks: old, cursors: deps.cursors }, { user: people.loner, filter: {}, limit: 50 })
      ).items.map((n) => n.id);
    const all = [fresh, ...written]
      .map((n) => n.id)
      .sort()
      .reverse();
    expect(await listed()).toEqual(all);
    // Two notebooks a step, oldest first: the first pass indexes the three old private ones, the second finds none.
    const steps = [];
    for (let i = 0; i < 6; i += 1) {
      steps.push(await old.advanceIndexing(2));
      expect(await listed()).toEqual(all);
    }
    expect(steps.map((s) => s.indexed)).toEqual([1, 2, 0, 0, 0, 0]);
    expect(steps.map((s) => s.done)).toEqual([false, false, false, false, false, true]);
    expect(await old.advanceIndexing(2)).toEqual({ done: true, indexed: 0 });
  });
});
