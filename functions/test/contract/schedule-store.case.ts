import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.ts';
import type { Schedule, ScheduleFire } from '../../src/domain/schedule.ts';
import type { PageOf, SchedulePage, ScheduleStore } from '../../src/ports/schedule-store.ts';
import {
  atMinutes,
  dueAtMinutes,
  sampleFire as fire,
  sampleSchedule as schedule,
} from '../support/schedule-samples.ts';

type Lister<T> = (page: SchedulePage) => Promise<PageOf<T>>;

// Reads every page of one listing, checking each page's size, and returns the keys in order.
const drain = async <T>(list: Lister<T>, limit: number, key: (t: T) => string) => {
  const keys: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 200; pages += 1) {
    const page = await list({ after, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    keys.push(...page.items.map(key));
    if (!page.next) return keys;
    after = page.next;
  }
  throw new Error('the listing never ended');
};
const ids = (s: Schedule) => s.id;
const dues = (f: ScheduleFire) => f.dueAt;

// Parameters as owners send them: any JSON, including what DynamoDB refuses as a native map (empty strings in
// sets, deep nesting) and a string big enough to matter.
const RICH_PARAMETERS = {
  day: '',
  empty: {},
  none: null,
  list: [1, 'two', null, [3, [4, { five: [] }]], { six: '' }],
  deep: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`),
  big: 'x'.repeat(120_000),
  ratio: 0.125,
  negative: -3,
  flag: false,
  unicode: 'café ☕ 日本',
};

/** The behaviour every ScheduleStore must have; each adapter's test file runs it. */
export const scheduleStoreContract = (name: string, make: () => Promise<ScheduleStore>) =>
  describe(`ScheduleStore contract: ${name}`, () => {
    it('reads back a schedule exactly, nested objects and any JSON parameters included, or null', async () => {
      // Prepare
      const store = await make();
      const bare = schedule(1, { parameters: {} });
      const rich = schedule(2, {
        parameters: RICH_PARAMETERS,
        version: 7,
        role: 'ads-lake',
        delegation: {
          role: 'ads-lake',
          team: 'ads',
          grantedAt: atMinutes(0),
          expiresAt: atMinutes(90),
          warnedAt: null,
        },
        timeoutSeconds: 3_600,
        notify: {
          destination: 'team-slack',
          onFailure: true,
          onSuccess: true,
          longerThanSeconds: 900,
          learnedDuration: true,
          costOverUsd: 12.5,
          digest: true,
        },
        paused: true,
        pausedAt: atMinutes(3),
        lastDueAt: dueAtMinutes(2),
        lastStatus: 'FAILED',
      });
      // Act
      await store.putSchedule(bare);
      await store.putSchedule(rich);
      // Assess
      expect(await store.getSchedule(bare.id)).toStrictEqual(bare);
      expect(await store.getSchedule(rich.id)).toStrictEqual(rich);
      expect(await store.getSchedule('sch-nothing')).toBeNull();
    });

    it('refuses a second schedule with the same id and keeps the first', async () => {
      // Prepare
      const store = await make();
      const first = schedule(1);
      await store.putSchedule(first);
      // Act
      const again = store.putSchedule(schedule(1, { name: 'other' }));
      // Assess
      await expect(again).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getSchedule(first.id)).toStrictEqual(first);
    });

    it('updates at the stored revision and bumps it; a stale revision or a gone schedule gets null', async () => {
      // Prepare
      const store = await make();
      const first = schedule(1);
      await store.putSchedule(first);
      const notify = { ...first.notify, destination: 'ops', onSuccess: true };
      // Act
      const updated = await store.updateSchedule(first.id, 1, {
        name: 'renamed',
        parameters: { list: [[], {}], text: '' },
        notify,
        updatedAt: atMinutes(5),
      });
      const stale = await store.updateSchedule(first.id, 1, { name: 'stale', updatedAt: atMinutes(6) });
      const unknown = await store.updateSchedule('sch-nothing', 1, { name: 'x', updatedAt: atMinutes(6) });
      // Assess
      const expected = {
        ...first,
        name: 'renamed',
        parameters: { list: [[], {}], text: '' },
        notify,
        updatedAt: atMinutes(5),
        revision: 2,
      };
      expect(updated).toStrictEqual(expected);
      expect(stale).toBeNull();
      expect(unknown).toBeNull();
      expect(await store.getSchedule(first.id)).toStrictEqual(expected);
    });

    it('lets exactly one of many racing updates at the same revision win', async () => {
      // Prepare
      const store = await make();
      await store.putSchedule(schedule(1));
      // Act
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, k) =>
          store.updateSchedule(schedule(1).id, 1, { name: `edit ${k}`, updatedAt: atMinutes(k) }),
        ),
      );
      // Assess
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect((await store.getSchedule(schedule(1).id))?.name).toBe(winners[0]?.name);
    });

    it('drops a schedule from the active ones while paused and lists it again once resumed', async () => {
      // Prepare
      const store = await make();
      await store.putSchedule(schedule(1, { id: 'sch-b' }));
      await store.putSchedule(schedule(2, { id: 'sch-a', owner: 'bob' }));
      await store.putSchedule(schedule(3, { id: 'sch-c', paused: true, pausedAt: atMinutes(3) }));
      // Act
      const before = await store.listActive();
      const paused = await store.updateSchedule('sch-b', 1, {
        paused: true,
        pausedAt: atMinutes(4),
        updatedAt: atMinutes(4),
      });
      const during = await store.listActive();
      await store.updateSchedule('sch-b', 2, { paused: false, updatedAt: atMinutes(5) });
      await store.updateSchedule('sch-c', 1, { paused: false, updatedAt: atMinutes(5) });
      const after = await store.listActive();
      // Assess
      expect(before.map(ids).sort()).toEqual(['sch-a', 'sch-b']);
      expect(paused?.paused).toBe(true);
      expect(during.map(ids)).toEqual(['sch-a']);
      expect(after.map(ids).sort()).toEqual(['sch-a', 'sch-b', 'sch-c']);
      expect(after.find((s) => s.id === 'sch-b')).toStrictEqual(await store.getSchedule('sch-b'));
    });

    it('lists every active schedule even when they fill more than one Query page', async () => {
      // Prepare: 30 schedules of 50 KB each are over the 1 MB a Query returns at once.
      const store = await make();
      const parameters = { blob: 'y'.repeat(50_000) };
      for (let i = 0; i < 30; i += 1) await store.putSchedule(schedule(i, { parameters, paused: i % 10 === 0 }));
      // Act
      const active = await store.listActive();
      // Assess
      const expected = Array.from({ length: 30 }, (_, i) => schedule(i).id).filter((_, i) => i % 10 !== 0);
      expect(active.map(ids).sort()).toEqual(expected);
    });

    it.each([1, 2, 3, 10])("pages a user's schedules newest first, %i a page, and no one else's", async (limit) => {
      // Prepare
      const store = await make();
      for (const [k, m] of [4, 1, 9, 3, 7, 0].entries()) await store.putSchedule(schedule(m, { id: `sch${k}x${m}` }));
      await store.putSchedule(schedule(5, { owner: 'alicex', id: 'sch-alicex' }));
      await store.putSchedule(schedule(6, { owner: 'bob', id: 'sch-bob' }));
      // Act
      const listed = await drain((page) => store.listByOwner('alice', page), limit, ids);
      const none = await drain((page) => store.listByOwner('carol', page), limit, ids);
      // Assess
      expect(listed).toEqual(['sch2x9', 'sch4x7', 'sch0x4', 'sch3x3', 'sch1x1', 'sch5x0']);
      expect(none).toEqual([]);
    });

    it.each([1, 3, 10])('pages every schedule newest first for admins, %i a page, paused ones too', async (limit) => {
      // Prepare
      const store = await make();
      await store.putSchedule(schedule(2, { owner: 'bob', id: 'sch-b' }));
      await store.putSchedule(schedule(1, { id: 'sch-a' }));
      await store.putSchedule(schedule(3, { owner: 'carol', id: 'sch-c', paused: true }));
      await store.putSchedule(schedule(3, { owner: 'dan', id: 'sch-d' }));
      // Act
      const listed = await drain((page) => store.listAll(page), limit, ids);
      // Assess
      expect(listed).toEqual(['sch-d', 'sch-c', 'sch-b', 'sch-a']);
    });

    it('pages schedules whose parameters are large without missing or repeating one', async () => {
      // Prepare: ten 150 KB schedules a page are more than one Query returns.
      const store = await make();
      const parameters = { blob: 'z'.repeat(150_000) };
      for (let i = 0; i < 12; i += 1) await store.putSchedule(schedule(i, { parameters }));
      // Act
      const listed = await drain((page) => store.listAll(page), 10, ids);
      // Assess
      expect(listed).toEqual(Array.from({ length: 12 }, (_, i) => schedule(11 - i).id));
    });

    it('keeps paging right when the schedule a page ended on is deleted', async () => {
      // Prepare
      const store = await make();
      for (const m of [1, 2, 3, 4]) await store.putSchedule(schedule(m));
      const first = await store.listByOwner('alice', { limit: 2 });
      // Act
      await store.deleteSchedule(schedule(3).id);
      const second = await store.listByOwner('alice', { after: first.next, limit: 2 });
      // Assess
      expect(first.items.map(ids)).toEqual([schedule(4).id, schedule(3).id]);
      expect(second.items.map(ids)).toEqual([schedule(2).id, schedule(1).id]);
      expect(second.next).toBeUndefined();
    });

    it('claims a due time once: a repeated claim gets the first one back, not created', async () => {
      // Prepare
      const store = await make();
      const first = fire('sch1', 10);
      // Act
      const claimed = await store.claimFire(first);
      const again = await store.claimFire(fire('sch1', 10, { runId: 'run-other', source: 'timer' }));
      const otherTime = await store.claimFire(fire('sch1', 11));
      const otherSchedule = await store.claimFire(fire('sch10', 10));
      // Assess
      expect(claimed).toStrictEqual({ fire: first, created: true });
      expect(again).toStrictEqual({ fire: first, created: false });
      expect(otherTime.created).toBe(true);
      expect(otherSchedule.created).toBe(true);
      expect(await store.getFire('sch1', first.dueAt)).toStrictEqual(first);
      expect(await store.getFire('sch1', dueAtMinutes(99))).toBeNull();
    });

    it('lets exactly one of many concurrent claims of a due time create it, and gives all the same claim', async () => {
      // Prepare
      const store = await make();
      // Act
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, k) => store.claimFire(fire('sch1', 10, { runId: `run-${k}` }))),
      );
      // Assess
      const created = results.filter((r) => r.created);
      expect(created).toHaveLength(1);
      expect(results.map((r) => r.fire.runId)).toEqual(results.map(() => created[0]?.fire.runId));
    });

    it('updates a fire as it moves on and answers null for a fire never claimed', async () => {
      // Prepare
      const store = await make();
      const claimed = fire('sch1', 10);
      await store.claimFire(claimed);
      // Act
      const failed = await store.updateFire('sch1', claimed.dueAt, {
        outcome: 'failed',
        reason: 'parameter day: expected a date',
        attempt: 1,
        updatedAt: atMinutes(11),
      });
      const unknown = await store.updateFire('sch1', dueAtMinutes(99), {
        outcome: 'started',
        updatedAt: atMinutes(11),
      });
      // Assess
      const expected = { ...claimed, outcome: 'failed', reason: 'parameter day: expected a date', attempt: 1 };
      expect(failed).toStrictEqual({ ...expected, updatedAt: atMinutes(11) });
      expect(unknown).toBeNull();
      expect(await store.getFire('sch1', claimed.dueAt)).toStrictEqual({ ...expected, updatedAt: atMinutes(11) });
    });

    it.each([1, 2, 3, 10])(
      "pages a schedule's fires latest due time first, %i a page, and no other's",
      async (limit) => {
        // Prepare
        const store = await make();
        await store.putSchedule(schedule(0, { id: 'sch1' }));
        for (const m of [30, 10, 50, 20, 40]) await store.claimFire(fire('sch1', m));
        await store.claimFire(fire('sch10', 60));
        await store.claimFire(fire('sch', 70));
        // Act
        const listed = await drain((page) => store.listFires('sch1', page), limit, dues);
        const none = await drain((page) => store.listFires('sch-nothing', page), limit, dues);
        // Assess
        expect(listed).toEqual([50, 40, 30, 20, 10].map(dueAtMinutes));
        expect(none).toEqual([]);
      },
    );

    it('lists queued fires earliest first, and a fire leaves the queue when its outcome changes', async () => {
      // Prepare
      const store = await make();
      for (const m of [30, 10, 20]) await store.claimFire(fire('sch1', m, { outcome: 'queued' }));
      await store.claimFire(fire('sch1', 5, { outcome: 'started' }));
      await store.claimFire(fire('sch1', 40));
      await store.claimFire(fire('sch2', 1, { outcome: 'queued' }));
      // Act
      const before = await store.listQueuedFires('sch1');
      await store.updateFire('sch1', dueAtMinutes(10), { outcome: 'started', updatedAt: atMinutes(41) });
      await store.updateFire('sch1', dueAtMinutes(20), { reason: 'still waiting', updatedAt: atMinutes(41) });
      await store.updateFire('sch1', dueAtMinutes(40), { outcome: 'queued', updatedAt: atMinutes(41) });
      const after = await store.listQueuedFires('sch1');
      // Assess
      expect(before.map(dues)).toEqual([10, 20, 30].map(dueAtMinutes));
      expect(after.map(dues)).toEqual([20, 30, 40].map(dueAtMinutes));
      expect(after[0]).toStrictEqual(await store.getFire('sch1', dueAtMinutes(20)));
      expect(await store.listQueuedFires('sch-nothing')).toEqual([]);
    });

    it('dequeues a fire once: a change made only while it is queued applies to the first of two run ends', async () => {
      // Prepare
      const store = await make();
      await store.claimFire(fire('sch1', 10, { outcome: 'queued' }));
      const claim = { outcome: 'claimed' as const, updatedAt: atMinutes(11) };
      // Act
      const [first, second] = await Promise.all([
        store.updateFire('sch1', dueAtMinutes(10), claim, 'queued'),
        store.updateFire('sch1', dueAtMinutes(10), claim, 'queued'),
      ]);
      // Assess
      expect([first?.outcome, second?.outcome].sort()).toEqual(['claimed', undefined]);
      expect(await store.listQueuedFires('sch1')).toEqual([]);
    });

    it('deletes a schedule from every listing but keeps its fires', async () => {
      // Prepare
      const store = await make();
      const gone = schedule(1);
      await store.putSchedule(gone);
      await store.putSchedule(schedule(2));
      await store.claimFire(fire(gone.id, 10));
      await store.claimFire(fire(gone.id, 20, { outcome: 'queued' }));
      // Act
      await store.deleteSchedule(gone.id);
      await store.deleteSchedule('sch-nothing');
      // Assess
      expect(await store.getSchedule(gone.id)).toBeNull();
      expect((await store.listActive()).map(ids)).toEqual([schedule(2).id]);
      expect(await drain((page) => store.listByOwner('alice', page), 10, ids)).toEqual([schedule(2).id]);
      expect(await drain((page) => store.listAll(page), 10, ids)).toEqual([schedule(2).id]);
      expect(await drain((page) => store.listFires(gone.id, page), 10, dues)).toEqual([20, 10].map(dueAtMinutes));
      expect((await store.listQueuedFires(gone.id)).map(dues)).toEqual([dueAtMinutes(20)]);
    });
  });
