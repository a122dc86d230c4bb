import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbNotebookStore } from '../../src/adapters/aws/dynamodb-notebook-store.ts';
import { indexPrivateNotebooks } from '../../src/adapters/aws/notebook-index-backfill.ts';
import { toNotebookItem } from '../../src/adapters/aws/notebook-items.ts';
import { countReads, type ReadCounter } from '../../src/adapters/aws/read-counter.ts';
import { HmacCursorCodec } from '../../src/adapters/system/hmac-cursor-codec.ts';
import type { NotebookFilter } from '../../src/domain/listing.ts';
import type { Notebook, Visibility } from '../../src/domain/notebook.ts';
import type { User } from '../../src/domain/user.ts';
import { listNotebooks, type ListNotebooksDeps } from '../../src/use-cases/list-notebooks.ts';
import { people } from '../support/fakes.ts';
import { startEmulators } from '../support/emulators.ts';

// Owners, visibilities and tags interleaved newest to oldest, as a shared workspace has them.
const OWNERS = ['alice', 'bob', 'amir', 'carol'];
const VISIBILITY: Visibility[] = ['org', 'team', 'private', 'org', 'team'];
const TEAM_OF: Record<string, string> = { alice: 'ads', amir: 'ads', bob: 'risk', carol: 'risk' };

const seeded = (i: number): Notebook => {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  const owner = OWNERS[i % OWNERS.length]!;
  return {
    id: `nb-${String(i).padStart(6, '0')}`,
    title: `Notebook ${i}`,
    description: `About notebook ${i}`,
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
let deps: ListNotebooksDeps;
let counter: ReadCounter;
let table: string;

beforeAll(async () => {
  emulators = await startEmulators();
  table = await emulators.newTable();
  const store = new DynamoDbNotebookStore(emulators.doc, table);
  for (let i = 0; i < 400; i += 20) {
    await Promise.all(Array.from({ length: 20 }, (_, j) => store.createNotebook(seeded(i + j))));
  }
  counter = countReads(emulators.doc);
  deps = { notebooks: store, cursors: new HmacCursorCodec('test') };
}, 60_000);
afterAll(async () => {
  await emulators?.close();
});

const page = async (user: User, filter: NotebookFilter, cursor?: string) => {
  counter.reset();
  const out = await listNotebooks(deps, { user, filter, limit: 50, cursor });
  return { ...out, reads: { ...counter.count } };
};

describe('What a listing page reads from DynamoDB', () => {
  it.each([
    ['alice, merging her own, her team and the org', people.alice],
    ['bob, of another team', people.bob],
    ['a user in no team', people.loner],
    ['an admin', people.root],
  ])('reads about the page and no more, with no Scan, for %s', async (_, user) => {
    const first = await page(user, {});
    const second = await page(user, {}, first.nextCursor ?? undefined);
    for (const p of [first, second]) {
      expect(p.items).toHaveLength(50);
      expect(p.reads.items).toBeLessThanOrEqual(60);
      expect(p.reads.scans).toBe(0);
      expect(p.reads.keyReads).toBe(0);
    }
  });
});

describe('What a listing page holds', () => {
  it('lists each notebook exactly as reading it answers, every field included', async () => {
    const { items } = await page(people.root, {});
    for (const nb of items.slice(0, 5)) expect(nb).toEqual(await deps.notebooks.getNotebook(nb.id));
  });
});

describe('Indexing private notebooks written before they had an audience partition', () => {
  it('lists them for their owner again, once, and leaves notebooks that have one alone', async () => {
    const old = { ...seeded(1000), owner: 'loner', visibility: 'private' as const, team: null };
    const { GSI2PK: _pk, GSI2SK: _sk, ...item } = toNotebookItem(old, 1);
    await emulators.doc.send(new PutCommand({ TableName: table, Item: item }));
    expect((await page(people.loner, {})).items.map((n) => n.id)).not.toContain(old.id);
    expect(await indexPrivateNotebooks(emulators.doc, table)).toBe(1);
    expect((await page(people.loner, {})).items[0]?.id).toBe(old.id);
    expect(await indexPrivateNotebooks(emulators.doc, table)).toBe(0);
  });
});
