import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.ts';
import { serverIdFor, type Server, type ServerStatus } from '../../src/domain/server.ts';
import type { CullRecord, ServerStore } from '../../src/ports/server-store.ts';

const BASE = Date.UTC(2026, 0, 5, 9, 0, 0);
const iso = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

let n = 0;
// A launched server with only the required fields; tests add the optional ones they need.
const server = (over: Partial<Server> = {}): Server => {
  n += 1;
  const owner = over.owner ?? 'alice';
  const name = over.name ?? `lab-${n}`;
  return {
    id: serverIdFor(owner, name),
    owner,
    name,
    profile: 'cpu-small',
    resources: {
      image: 'quay.io/jupyter/scipy-notebook:2025-06-30',
      cpuRequest: 1500,
      cpuLimit: 2000,
      memoryRequest: 3 * 1024 ** 3,
      memoryLimit: 17_179_869_184,
      gpus: 0,
    },
    hourlyPrice: 0.05,
    idleTimeoutSeconds: 3600,
    maxAgeSeconds: 43_200,
    status: 'PENDING',
    slot: 0,
    launchId: `launch-${String(n).padStart(8, '0')}`,
    tokenHash: 'a'.repeat(64),
    createdAt: iso(0),
    updatedAt: iso(0),
    lastActivity: iso(0),
    progress: [{ id: 1, at: iso(0), progress: 10, message: 'Server requested' }],
    ...over,
  };
};

// Every optional field set, nested values included.
const full = (over: Partial<Server> = {}): Server =>
  server({
    status: 'RUNNING',
    startedAt: iso(1),
    lastReportAt: iso(2),
    url: 'http://10.0.0.7:8888/user/alice/lab/',
    reason: 'none yet',
    stoppedBy: 'nobody',
    cullWarning: { reason: 'idle', warnedAt: iso(45), stopsAt: iso(60) },
    cullCheckAt: iso(60),
    credentialsTokenHash: 'c'.repeat(64),
    role: 'ads-lake',
    ownerTeams: ['ads', 'data'],
    progress: [
      { id: 1, at: iso(0), progress: 10, message: 'Server requested' },
      { id: 2, at: iso(1), progress: 100, message: 'Jupyter is answering', ready: true },
    ],
    ...over,
  });

const running = (cullCheckAt: string | undefined, over: Partial<Server> = {}) =>
  server({ status: 'RUNNING', startedAt: iso(0), ...(cullCheckAt ? { cullCheckAt } : {}), ...over });

const cull = (i: number, at: string, over: Partial<CullRecord> = {}): CullRecord => ({
  id: `cull-${String(i).padStart(16, '0')}`,
  at,
  serverId: serverIdFor('alice', `lab-${i}`),
  owner: 'alice',
  name: `lab-${i}`,
  profile: 'cpu-small',
  reason: 'idle',
  lastActivity: iso(-60),
  hourlyPrice: 0.05,
  sparkApplications: [],
  ...over,
});

const drainCandidates = async (store: ServerStore, due: string, limit: number) => {
  const ids: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 200; pages += 1) {
    const page = await store.listCullCandidates(due, { after, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((s) => s.id));
    if (!page.next) return ids;
    after = page.next;
  }
  throw new Error('listCullCandidates never ended');
};

const drainCulls = async (store: ServerStore, limit: number) => {
  const ids: string[] = [];
  let before: string | undefined;
  for (let pages = 0; pages < 200; pages += 1) {
    const page = await store.listCulls({ before, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((c) => c.id));
    if (!page.next) return ids;
    before = page.next;
  }
  throw new Error('listCulls never ended');
};

const byCullKey = (servers: Server[]) =>
  [...servers].sort((a, b) => (`${a.cullCheckAt}#${a.id}` < `${b.cullCheckAt}#${b.id}` ? -1 : 1)).map((s) => s.id);

/** The behaviour every ServerStore must have; each adapter's test file runs it. */
export const serverStoreContract = (name: string, make: () => Promise<ServerStore>) =>
  describe(`ServerStore contract: ${name}`, () => {
    describe('server records', () => {
      it('reads back a server exactly, without optional fields it was not given, and null for an unknown id', async () => {
        // Prepare
        const store = await make();
        const bare = server();
        const rich = full();
        // Act
        await store.putServer(bare);
        await store.putServer(rich);
        const gotBare = await store.getServer(bare.id);
        const gotRich = await store.getServer(rich.id);
        const unknown = await store.getServer(serverIdFor('nobody', 'nothing'));
        // Assess
        expect(gotBare).toStrictEqual(bare);
        expect(Object.keys(gotBare!).sort()).toEqual(Object.keys(bare).sort());
        expect(gotRich).toStrictEqual(rich);
        expect(unknown).toBeNull();
      });

      it.each<ServerStatus>(['PENDING', 'RUNNING', 'STOPPING'])(
        'refuses to launch over a %s server and leaves it as it was',
        async (status) => {
          // Prepare
          const store = await make();
          const held = full({ status, name: 'busy' });
          await store.putServer(held);
          // Act
          const again = store.putServer(server({ name: 'busy' }));
          // Assess
          await expect(again).rejects.toBeInstanceOf(ConflictError);
          expect(await store.getServer(held.id)).toEqual(held);
        },
      );

      it.each<ServerStatus>(['STOPPED', 'FAILED'])(
        'replaces a %s server whole, dropping fields of the old launch',
        async (status) => {
          // Prepare
          const store = await make();
          const old = full({ status, name: 'again', stoppedAt: iso(90), reason: 'culled', stoppedBy: 'culler' });
          await store.putServer(old);
          const fresh = server({ name: 'again' });
          // Act
          await store.putServer(fresh);
          // Assess
          expect(await store.getServer(fresh.id)).toStrictEqual(fresh);
          expect(await drainCandidates(store, iso(10_000), 10)).toEqual([]);
        },
      );

      it('lets exactly one of many racing launches of one name win', async () => {
        // Prepare
        const store = await make();
        const launches = Array.from({ length: 10 }, () => server({ name: 'race' }));
        // Act
        const results = await Promise.allSettled(launches.map((s) => store.putServer(s)));
        // Assess
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(
          results
            .filter((r) => r.status === 'rejected')
            .every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError),
        ).toBe(true);
      });

      it('lists one owner’s servers only, sorted by name', async () => {
        // Prepare
        const store = await make();
        for (const [owner, name] of [
          ['alice', 'zeta'],
          ['bob', 'alpha'],
          ['alice', 'mid-2'],
          ['alice-b', 'beta'],
          ['alice', 'alpha'],
          ['ali', 'gamma'],
          ['alice', 'mid-10'],
        ] as const) {
          await store.putServer(server({ owner, name }));
        }
        // Act
        const mine = await store.listServers('alice');
        const none = await store.listServers('carol');
        // Assess
        expect(mine.map((s) => s.name)).toEqual(['alpha', 'mid-10', 'mid-2', 'zeta']);
        expect(mine.every((s) => s.owner === 'alice')).toBe(true);
        expect(none).toEqual([]);
      });

      it('reads a listed server exactly as getServer does', async () => {
        // Prepare
        const store = await make();
        const rich = full({ owner: 'dana', name: 'one' });
        await store.putServer(rich);
        // Act
        const [listed] = await store.listServers('dana');
        // Assess
        expect(listed).toEqual(rich);
      });
    });

    describe('deleteServer', () => {
      it('deletes an ended server of the launch named, freeing its name and leaving its owner’s list without it', async () => {
        // Prepare
        const store = await make();
        const ended = full({ owner: 'erin', name: 'gone', status: 'STOPPED', cullCheckAt: undefined });
        await store.putServer(ended);
        // Act
        const deleted = await store.deleteServer(ended.id, ['STOPPED', 'FAILED'], ended.launchId);
        // Assess
        expect(deleted).toBe(true);
        expect(await store.getServer(ended.id)).toBeNull();
        expect(await store.listServers('erin')).toEqual([]);
        await expect(store.putServer(server({ owner: 'erin', name: 'gone' }))).resolves.toBeUndefined();
      });

      it('keeps a server whose status or launch is not the one named, and answers false for one already gone', async () => {
        // Prepare
        const store = await make();
        const running = full({ owner: 'erin', name: 'busy' });
        const stopped = full({ owner: 'erin', name: 'relaunched', status: 'STOPPED' });
        await store.putServer(running);
        await store.putServer(stopped);
        // Act
        const wrongStatus = await store.deleteServer(running.id, ['STOPPED', 'FAILED'], running.launchId);
        const wrongLaunch = await store.deleteServer(stopped.id, ['STOPPED', 'FAILED'], 'launch-older');
        const missing = await store.deleteServer(serverIdFor('erin', 'never'), ['STOPPED'], 'launch-x');
        // Assess
        expect([wrongStatus, wrongLaunch, missing]).toEqual([false, false, false]);
        expect(await store.getServer(running.id)).toEqual(running);
        expect(await store.getServer(stopped.id)).toEqual(stopped);
      });
    });

    describe('moveServer', () => {
      it('moves a server only from the statuses given and answers the record as now stored', async () => {
        // Prepare
        const store = await make();
        const s = server();
        await store.putServer(s);
        // Act
        const wrong = await store.moveServer(s.id, ['RUNNING', 'STOPPING'], { status: 'STOPPED', updatedAt: iso(5) });
        const afterWrong = await store.getServer(s.id);
        const moved = await store.moveServer(s.id, ['PENDING'], {
          status: 'RUNNING',
          startedAt: iso(3),
          url: 'http://x/',
          updatedAt: iso(3),
        });
        // Assess
        expect(wrong).toBeNull();
        expect(afterWrong).toEqual(s);
        expect(moved).toEqual({ ...s, status: 'RUNNING', startedAt: iso(3), url: 'http://x/', updatedAt: iso(3) });
        expect(await store.getServer(s.id)).toEqual(moved);
      });

      it('answers null for a server that does not exist, and creates nothing', async () => {
        // Prepare
        const store = await make();
        const id = serverIdFor('ghost', 'lab');
        // Act
        const moved = await store.moveServer(id, ['RUNNING'], { status: 'STOPPING', updatedAt: iso(1) });
        // Assess
        expect(moved).toBeNull();
        expect(await store.getServer(id)).toBeNull();
      });

      it('moves only when the launch and the activity read are still the ones expected', async () => {
        // Prepare
        const store = await make();
        const s = running(iso(60));
        await store.putServer(s);
        // Act
        const otherLaunch = await store.moveServer(
          s.id,
          ['RUNNING'],
          { status: 'STOPPING', updatedAt: iso(1) },
          { launchId: 'launch-older' },
        );
        const newerActivity = await store.moveServer(
          s.id,
          ['RUNNING'],
          { status: 'STOPPING', updatedAt: iso(1) },
          { launchId: s.launchId, lastActivity: iso(-5) },
        );
        const both = await store.moveServer(
          s.id,
          ['RUNNING'],
          { status: 'STOPPING', updatedAt: iso(1) },
          { launchId: s.launchId, lastActivity: s.lastActivity },
        );
        // Assess
        expect(otherLaunch).toBeNull();
        expect(newerActivity).toBeNull();
        expect(both).toMatchObject({ status: 'STOPPING', updatedAt: iso(1) });
      });

      it('removes a field given null, keeps one given undefined, and replaces nested values whole', async () => {
        // Prepare
        const store = await make();
        const s = full();
        await store.putServer(s);
        const progress = [
          ...s.progress,
          { id: 3, at: iso(9), progress: 100, message: 'Spawn failed: x', failed: true },
        ];
        // Act
        const moved = await store.moveServer(s.id, ['RUNNING'], {
          url: null,
          cullWarning: null,
          reason: undefined,
          progress,
          updatedAt: iso(9),
        });
        const stored = await store.getServer(s.id);
        // Assess
        const { url: _url, cullWarning: _warning, ...rest } = s;
        expect(moved).toStrictEqual({ ...rest, progress, updatedAt: iso(9) });
        expect(stored).toStrictEqual(moved);
        expect(stored).not.toHaveProperty('url');
        expect(stored).not.toHaveProperty('cullWarning');
        expect(stored!.reason).toBe('none yet');
      });

      it('switches a server’s role and the teams kept with it, and removes both given null', async () => {
        // Prepare
        const store = await make();
        const s = full();
        await store.putServer(s);
        // Act
        const switched = await store.moveServer(
          s.id,
          ['PENDING', 'RUNNING'],
          { role: 'risk-prod', ownerTeams: ['risk'], updatedAt: iso(5) },
          { launchId: s.launchId },
        );
        const cleared = await store.moveServer(
          s.id,
          ['PENDING', 'RUNNING'],
          { role: null, ownerTeams: null, updatedAt: iso(6) },
          { launchId: s.launchId },
        );
        const stored = await store.getServer(s.id);
        // Assess
        expect(switched).toMatchObject({
          role: 'risk-prod',
          ownerTeams: ['risk'],
          credentialsTokenHash: 'c'.repeat(64),
        });
        const { role: _role, ownerTeams: _teams, ...rest } = s;
        expect(cleared).toStrictEqual({ ...rest, updatedAt: iso(6) });
        expect(stored).toStrictEqual(cleared);
      });

      it('lets exactly one of many racing moves from one status win', async () => {
        // Prepare
        const store = await make();
        const s = running(iso(60));
        await store.putServer(s);
        // Act
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.moveServer(s.id, ['RUNNING'], {
              status: i % 2 ? 'STOPPING' : 'FAILED',
              stoppedBy: `u${i}`,
              updatedAt: iso(i),
            }),
          ),
        );
        // Assess
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect(await store.getServer(s.id)).toEqual(winners[0]);
      });
    });

    describe('listCullCandidates', () => {
      it('lists only servers whose cull check is due, the one due exactly now included, earliest first', async () => {
        // Prepare
        const store = await make();
        const due = iso(100);
        const seeded = [
          running(iso(99)),
          running(iso(100)),
          running(iso(101)),
          running(iso(5)),
          running(undefined),
          running(iso(50)),
          running(iso(50)),
          server({ status: 'STOPPED' }),
          running('2027-01-01T00:00:00.000Z'),
        ];
        for (const s of seeded) await store.putServer(s);
        // Act
        const page = await store.listCullCandidates(due, { limit: 100 });
        // Assess
        const expected = seeded.filter((s) => s.cullCheckAt !== undefined && s.cullCheckAt <= due);
        expect(page.items.map((s) => s.id)).toEqual(byCullKey(expected));
        expect(page.items.map((s) => s.cullCheckAt)).toEqual([iso(5), iso(50), iso(50), iso(99), iso(100)]);
        expect(page.items[0]).toEqual(seeded[3]);
        expect(page.next).toBeUndefined();
      });

      it.each([1, 3, 7, 25])('pages through all due servers %i at a time with no duplicates or gaps', async (limit) => {
        // Prepare
        const store = await make();
        const seeded: Server[] = [];
        // Several share an instant, so pages also split within one instant.
        for (let i = 0; i < 25; i += 1) seeded.push(running(iso(Math.floor(i / 3))));
        for (let i = 0; i < 5; i += 1) seeded.push(running(iso(500 + i)));
        await Promise.all(seeded.map((s) => store.putServer(s)));
        // Act
        const ids = await drainCandidates(store, iso(100), limit);
        // Assess
        expect(ids).toEqual(byCullKey(seeded.slice(0, 25)));
      });

      it('drops a server whose cull check was removed or moved past the due time, and adds one moved before it', async () => {
        // Prepare
        const store = await make();
        const [removed, later, earlier, kept] = [
          running(iso(10)),
          running(iso(20)),
          running(iso(300)),
          running(iso(30)),
        ];
        for (const s of [removed, later, earlier, kept]) await store.putServer(s);
        // Act
        await store.moveServer(removed!.id, ['RUNNING'], { status: 'STOPPING', cullCheckAt: null, updatedAt: iso(40) });
        await store.moveServer(later!.id, ['RUNNING'], { cullCheckAt: iso(200), updatedAt: iso(40) });
        await store.moveServer(earlier!.id, ['RUNNING'], { cullCheckAt: iso(1), updatedAt: iso(40) });
        const page = await store.listCullCandidates(iso(100), { limit: 10 });
        const stored = await store.getServer(removed!.id);
        // Assess
        expect(page.items.map((s) => s.id)).toEqual([earlier!.id, kept!.id]);
        expect(page.items[0]!.cullCheckAt).toBe(iso(1));
        expect(stored).not.toHaveProperty('cullCheckAt');
        expect(await drainCandidates(store, iso(10_000), 2)).toEqual([earlier!.id, kept!.id, later!.id]);
      });

      it('keeps paging from where it was while the reader moves or removes the servers it has read, as the culler does', async () => {
        // Prepare
        const store = await make();
        const seeded = Array.from({ length: 12 }, (_, i) => running(iso(i)));
        await Promise.all(seeded.map((s) => store.putServer(s)));
        const seen: string[] = [];
        let after: string | undefined;
        // Act
        for (let pages = 0; pages < 20; pages += 1) {
          const page = await store.listCullCandidates(iso(100), { after, limit: 5 });
          seen.push(...page.items.map((s) => s.id));
          await Promise.all(
            page.items.map((s, i) =>
              store.moveServer(
                s.id,
                ['RUNNING'],
                i % 2
                  ? { status: 'STOPPING', cullCheckAt: null, updatedAt: iso(100) }
                  : { cullCheckAt: iso(1000), updatedAt: iso(100) },
              ),
            ),
          );
          if (!page.next) break;
          after = page.next;
        }
        // Assess
        expect(seen).toEqual(byCullKey(seeded));
        expect(await drainCandidates(store, iso(100), 5)).toEqual([]);
      });

      it('reads about as many items as it returns, not the whole table', async () => {
        // Prepare: 300 servers, 7 of them due; the rest due later or not running.
        const store = await make();
        const seeded = Array.from({ length: 300 }, (_, i) =>
          i % 43 === 0
            ? running(iso(i % 10))
            : i % 2
              ? running(iso(1000 + i))
              : server({ status: i % 4 ? 'STOPPED' : 'PENDING' }),
        );
        for (let i = 0; i < seeded.length; i += 25)
          await Promise.all(seeded.slice(i, i + 25).map((s) => store.putServer(s)));
        // Act
        const page = await store.listCullCandidates(iso(100), { limit: 100 });
        // Assess
        expect(page.items).toHaveLength(7);
        expect(page.itemsRead).toBeGreaterThanOrEqual(7);
        expect(page.itemsRead).toBeLessThanOrEqual(8);
      });
    });

    describe('listActiveServers', () => {
      it('lists every launching, running and stopping server of every owner, and no ended one', async () => {
        // Prepare: servers as the use cases leave them; ended ones have no cull check.
        const store = await make();
        const pending = server({ owner: 'bob', cullCheckAt: iso(30) });
        const runningNow = running(iso(60), { owner: 'carol' });
        const stopping = full({ status: 'STOPPING', cullCheckAt: iso(2) });
        const ended = [
          server({ status: 'STOPPED', stoppedAt: iso(5) }),
          server({ status: 'FAILED', reason: 'image pull failed' }),
        ];
        for (const s of [pending, runningNow, stopping, ...ended]) await store.putServer(s);
        // Act
        const active = await store.listActiveServers();
        // Assess
        expect(active).toEqual([stopping, pending, runningNow]);
      });

      it('drops a server once it ends and keeps one whose cull check moved', async () => {
        // Prepare
        const store = await make();
        const [ends, moves] = [running(iso(10)), running(iso(20))];
        for (const s of [ends, moves]) await store.putServer(s);
        // Act
        await store.moveServer(ends!.id, ['RUNNING'], {
          status: 'STOPPED',
          stoppedAt: iso(40),
          cullCheckAt: null,
          updatedAt: iso(40),
        });
        await store.moveServer(moves!.id, ['RUNNING'], { cullCheckAt: iso(900), updatedAt: iso(40) });
        const active = await store.listActiveServers();
        // Assess
        expect(active.map((s) => [s.id, s.cullCheckAt])).toEqual([[moves!.id, iso(900)]]);
      });

      it('reads past one page of the index when many servers are active', async () => {
        // Prepare: big enough records that DynamoDB's 1 MB page cannot hold them all.
        const store = await make();
        const note = 'x'.repeat(12_000);
        const seeded = Array.from({ length: 120 }, (_, i) => running(iso(i), { reason: note }));
        for (let i = 0; i < seeded.length; i += 20)
          await Promise.all(seeded.slice(i, i + 20).map((s) => store.putServer(s)));
        // Act
        const active = await store.listActiveServers();
        // Assess
        expect(active.map((s) => s.id)).toEqual(byCullKey(seeded));
      });
    });

    describe('slots', () => {
      it('gives a free slot to the first taker and refuses it to the next', async () => {
        // Prepare
        const store = await make();
        // Act
        const first = await store.takeSlot('alice', 0, 'server-a', iso(0));
        const second = await store.takeSlot('alice', 0, 'server-b', iso(1));
        const otherSlot = await store.takeSlot('alice', 1, 'server-b', iso(1));
        const otherOwner = await store.takeSlot('bob', 0, 'server-c', iso(1));
        // Assess
        expect([first, second, otherSlot, otherOwner]).toEqual([true, false, true, true]);
        expect((await store.listSlots('alice')).sort((a, b) => a.slot - b.slot)).toEqual([
          { slot: 0, holder: 'server-a', takenAt: iso(0) },
          { slot: 1, holder: 'server-b', takenAt: iso(1) },
        ]);
      });

      it('hands a slot over only from the holder named as replaced', async () => {
        // Prepare
        const store = await make();
        await store.takeSlot('alice', 2, 'server-a', iso(0));
        // Act
        const wrong = await store.takeSlot('alice', 2, 'server-b', iso(1), 'server-x');
        const right = await store.takeSlot('alice', 2, 'server-b', iso(2), 'server-a');
        const free = await store.takeSlot('alice', 3, 'server-c', iso(3), 'server-a');
        // Assess
        expect([wrong, right, free]).toEqual([false, true, true]);
        expect((await store.listSlots('alice')).sort((a, b) => a.slot - b.slot)).toEqual([
          { slot: 2, holder: 'server-b', takenAt: iso(2) },
          { slot: 3, holder: 'server-c', takenAt: iso(3) },
        ]);
      });

      it('frees a slot only for its holder', async () => {
        // Prepare
        const store = await make();
        await store.takeSlot('alice', 0, 'server-a', iso(0));
        // Act
        await store.releaseSlot('alice', 0, 'server-b');
        const afterStranger = await store.listSlots('alice');
        await store.releaseSlot('alice', 0, 'server-a');
        const afterHolder = await store.listSlots('alice');
        await store.releaseSlot('alice', 5, 'server-a');
        const retaken = await store.takeSlot('alice', 0, 'server-b', iso(4));
        // Assess
        expect(afterStranger).toEqual([{ slot: 0, holder: 'server-a', takenAt: iso(0) }]);
        expect(afterHolder).toEqual([]);
        expect(retaken).toBe(true);
      });

      it('lists one owner’s slots only', async () => {
        // Prepare
        const store = await make();
        await store.takeSlot('alice', 0, 'a0', iso(0));
        await store.takeSlot('alice-b', 0, 'ab0', iso(0));
        await store.takeSlot('ali', 1, 'x1', iso(0));
        // Act
        const alice = await store.listSlots('alice');
        const nobody = await store.listSlots('carol');
        // Assess
        expect(alice).toEqual([{ slot: 0, holder: 'a0', takenAt: iso(0) }]);
        expect(nobody).toEqual([]);
      });

      it('gives a free slot to exactly one of many racing takers', async () => {
        // Prepare
        const store = await make();
        // Act
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.takeSlot('alice', 0, `server-${i}`, iso(i))),
        );
        // Assess
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.listSlots('alice')).toEqual([
          { slot: 0, holder: `server-${results.indexOf(true)}`, takenAt: iso(results.indexOf(true)) },
        ]);
      });
    });

    describe('the cull log', () => {
      it('reads back a cull exactly', async () => {
        // Prepare
        const store = await make();
        const c = cull(1, iso(10), {
          startedAt: iso(-120),
          sparkApplications: ['spark-abc', 'spark-def'],
          reason: 'max-age',
        });
        // Act
        await store.recordCull(c);
        const { items } = await store.listCulls({ limit: 10 });
        // Assess
        expect(items).toStrictEqual([c]);
      });

      it.each([1, 2, 3, 8])('lists culls newest first, %i a page, with no duplicates or gaps', async (limit) => {
        // Prepare
        const store = await make();
        const minutes = [5, 1, 9, 3, 3, 7, 0, 2];
        const culls = minutes.map((m, i) => cull(i, iso(m)));
        for (const c of culls) await store.recordCull(c);
        // Act
        const ids = await drainCulls(store, limit);
        // Assess
        const newest = [...culls].sort((a, b) => (`${a.at}#${a.id}` < `${b.at}#${b.id}` ? 1 : -1)).map((c) => c.id);
        expect(ids).toEqual(newest);
      });
    });
  });
