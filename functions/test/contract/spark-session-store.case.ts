import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.ts';
import { serverIdFor } from '../../src/domain/server.ts';
import type { SparkSession } from '../../src/domain/spark-session.ts';
import type { SparkSessionStore } from '../../src/ports/spark-session-store.ts';
import { isoMinutes as iso, sampleSparkSession as session } from '../support/spark-sessions.ts';

type Lister = (page: { after?: string; limit: number }) => Promise<{ items: SparkSession[]; next?: string }>;

// Reads every page of one listing, checking each page's size, and returns the ids in order.
const drain = async (list: Lister, limit: number) => {
  const ids: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await list({ after, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((s) => s.id));
    if (!page.next) return ids;
    after = page.next;
  }
  throw new Error('the listing never ended');
};

const stop = (minutes: number, reason: SparkSession['stopReason'] = 'owner') => ({
  stoppedAt: iso(minutes),
  stopReason: reason!,
  costSoFarUsd: 1.25,
});

/** The behaviour every SparkSessionStore must have; each adapter's test file runs it. */
export const sparkSessionStoreContract = (name: string, make: () => Promise<SparkSessionStore>) =>
  describe(`SparkSessionStore contract: ${name}`, () => {
    it('reads back a session exactly, with and without its optional fields, and null for an unknown id', async () => {
      // Prepare
      const store = await make();
      const bare = session(1, { conf: {} });
      const rich = session(2, {
        role: 'ads-lake',
        podTemplate: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: {} }, spec: { containers: [] } },
        warnings: ['spark.master is set by Orrery; dropped'],
        blocked: ['spark.master'],
        links: { ui: 'https://x/proxy/4040/jobs/', history: 'https://h/spark-sp2', monitoring: 'https://m?app=a' },
      });
      // Act
      await store.putSession(bare);
      await store.putSession(rich);
      // Assess
      expect(await store.getSession(bare.id)).toStrictEqual(bare);
      expect(await store.getSession(rich.id)).toStrictEqual(rich);
      expect(await store.getSession('sp-nothing')).toBeNull();
    });

    it('refuses a second session with the same id and keeps the first', async () => {
      // Prepare
      const store = await make();
      const first = session(1);
      await store.putSession(first);
      // Act
      const again = store.putSession(session(1, { appName: 'other' }));
      // Assess
      await expect(again).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getSession(first.id)).toStrictEqual(first);
    });

    it.each([1, 2, 3, 10])(
      "pages a server's sessions newest first, stopped ones too, %i a page, and no other server's",
      async (limit) => {
        // Prepare: 'lab2' and 'la' would share key prefixes with 'lab' if a server's keys were not delimited.
        const store = await make();
        for (const [i, serverName] of [
          [1, 'lab'],
          [3, 'lab'],
          [2, 'other'],
          [5, 'lab'],
          [6, 'lab2'],
          [7, 'la'],
        ] as const)
          await store.putSession(session(i, { serverName, id: `sp${serverName.replace(/[^a-z]/g, 'x')}${i}` }));
        await store.putSession(session(4, { id: 'spstopped', status: 'STOPPED', ...stop(5) }));
        await store.putSession(session(8, { owner: 'bob', id: 'spbob' }));
        // Act
        const lab = await drain((page) => store.listByServer(serverIdFor('alice', 'lab'), page), limit);
        const none = await drain((page) => store.listByServer(serverIdFor('alice', 'nothing'), page), limit);
        // Assess
        expect(lab).toEqual(['splab5', 'spstopped', 'splab3', 'splab1']);
        expect(none).toEqual([]);
      },
    );

    it.each([1, 2, 3, 10])(
      "pages a server's ACTIVE sessions newest first, %i a page: no stopped one and no other server's",
      async (limit) => {
        // Prepare
        const store = await make();
        for (const m of [4, 1, 9, 3, 7]) await store.putSession(session(m, { id: `splab${m}` }));
        await store.putSession(session(8, { id: 'spgone', status: 'STOPPED', ...stop(9) }));
        await store.putSession(session(6, { serverName: 'lab2', id: 'splabtwo' }));
        await store.putSession(session(5, { serverName: 'la', id: 'spla' }));
        await store.putSession(session(2, { owner: 'bob', id: 'spbob' }));
        await store.stopSession('splab3', stop(10));
        // Act
        const ids = await drain((page) => store.listActiveByServer(serverIdFor('alice', 'lab'), page), limit);
        const none = await drain((page) => store.listActiveByServer(serverIdFor('alice', 'nothing'), page), limit);
        // Assess
        expect(ids).toEqual(['splab9', 'splab7', 'splab4', 'splab1']);
        expect(none).toEqual([]);
      },
    );

    it("keeps paging a server's ACTIVE sessions right when the one a page ended on stops", async () => {
      // Prepare
      const store = await make();
      for (const m of [1, 2, 3, 4]) await store.putSession(session(m, { id: `splab${m}` }));
      const serverId = serverIdFor('alice', 'lab');
      const first = await store.listActiveByServer(serverId, { limit: 2 });
      // Act
      await store.stopSession('splab3', stop(10));
      const second = await store.listActiveByServer(serverId, { after: first.next, limit: 2 });
      // Assess
      expect(first.items.map((s) => s.id)).toEqual(['splab4', 'splab3']);
      expect(second.items.map((s) => s.id)).toEqual(['splab2', 'splab1']);
      expect(second.next).toBeUndefined();
    });

    it.each([1, 2, 3, 10])(
      "pages a user's sessions newest first, %i a page, with no gaps or duplicates",
      async (limit) => {
        // Prepare
        const store = await make();
        const minutes = [4, 1, 9, 3, 7, 0];
        for (const [k, m] of minutes.entries()) await store.putSession(session(m, { id: `sp${k}x${m}` }));
        await store.putSession(session(5, { owner: 'alicex', id: 'spother' }));
        await store.putSession(session(6, { owner: 'bob', id: 'spbob' }));
        // Act
        const ids = await drain((page) => store.listByOwner('alice', page), limit);
        // Assess
        expect(ids).toEqual(['sp2x9', 'sp4x7', 'sp0x4', 'sp3x3', 'sp1x1', 'sp5x0']);
      },
    );

    it.each([1, 3, 10])('pages every session newest first for admins, %i a page', async (limit) => {
      // Prepare
      const store = await make();
      await store.putSession(session(2, { owner: 'bob', id: 'spb' }));
      await store.putSession(session(1, { id: 'spa' }));
      await store.putSession(session(3, { owner: 'carol', id: 'spc', status: 'STOPPED', ...stop(4) }));
      // Act
      const ids = await drain((page) => store.listAll(page), limit);
      // Assess
      expect(ids).toEqual(['spc', 'spb', 'spa']);
    });

    it('lists only ACTIVE sessions, oldest first, and drops a session once it stops', async () => {
      // Prepare
      const store = await make();
      await store.putSession(session(3, { id: 'spthree' }));
      await store.putSession(session(1, { id: 'spone', owner: 'bob' }));
      await store.putSession(session(2, { id: 'sptwo' }));
      await store.putSession(session(0, { id: 'spold', status: 'STOPPED', ...stop(1) }));
      // Act
      const before = await store.listActive();
      await store.stopSession('sptwo', stop(10));
      const after = await store.listActive();
      // Assess
      expect(before.map((s) => s.id)).toEqual(['spone', 'sptwo', 'spthree']);
      expect(after.map((s) => s.id)).toEqual(['spone', 'spthree']);
    });

    it('stops an ACTIVE session once, returning the stored record, and null after', async () => {
      // Prepare
      const store = await make();
      const live = session(1);
      await store.putSession(live);
      // Act
      const first = await store.stopSession(live.id, stop(30, 'max-age'));
      const second = await store.stopSession(live.id, stop(40, 'owner'));
      const unknown = await store.stopSession('spnothing', stop(40));
      // Assess
      const expected = { ...live, status: 'STOPPED', stoppedAt: iso(30), stopReason: 'max-age', costSoFarUsd: 1.25 };
      expect(first).toStrictEqual(expected);
      expect(second).toBeNull();
      expect(unknown).toBeNull();
      expect(await store.getSession(live.id)).toStrictEqual(expected);
    });

    it('lets exactly one of many racing stops win', async () => {
      // Prepare
      const store = await make();
      await store.putSession(session(1));
      // Act
      const results = await Promise.all(Array.from({ length: 8 }, (_, k) => store.stopSession(session(1).id, stop(k))));
      // Assess
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });
  });
