import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.ts';
import type { Run } from '../../src/domain/run.ts';
import type { RunSource, RunStore } from '../../src/ports/run-store.ts';

let n = 0;
const DEEP = Array.from({ length: 20 }).reduce<unknown>((inner) => ({ k: [inner] }), 1);
/** A run as start-run records it, one second after the last one made, with values DynamoDB cannot hold plainly. */
export const sampleRun = (over: Partial<Run> = {}): Run => {
  n += 1;
  const at = new Date(Date.UTC(2026, 1, 1, 0, 0, n)).toISOString();
  const id = `run-${String(n).padStart(16, '0')}`;
  return {
    id,
    notebookId: 'nb-0000000000000001',
    notebookTitle: 'Sales — “weekly” report',
    version: 1,
    owner: 'alice',
    notebookOwner: 'alice',
    language: 'python',
    // Values DynamoDB numbers cannot hold (past 2^53, subnormal) and nesting deeper than its 32 levels.
    parameters: { big: '18446744073709551616', f: 'nan', huge: 1e16, tiny: 5e-324, deep: DEEP },
    typedParameters: {
      big: { type: 'int', value: '18446744073709551616' },
      f: { type: 'float', value: 'nan' },
      huge: { type: 'float', value: 1e16 },
      tiny: { type: 'float', value: 5e-324 },
    },
    profile: 'default',
    timeoutSeconds: 60,
    cellTimeoutSeconds: null,
    status: 'CREATED',
    createdAt: at,
    updatedAt: at,
    startedAt: null,
    endedAt: null,
    durationSeconds: null,
    error: null,
    idempotencyKey: null,
    rerunOf: null,
    inputKey: `runs/${id}/input.ipynb`,
    outputKey: `runs/${id}/output.ipynb`,
    hasOutput: false,
    outputTruncated: false,
    stopRequestedBy: null,
    role: null,
    roleTeam: null,
    runTokenHash: null,
    ...over,
  };
};

const drain = async (store: RunStore, source: RunSource, limit: number) => {
  const ids: string[] = [];
  let before: string | undefined;
  for (let i = 0; i < 50; i += 1) {
    const page = await store.listRuns(source, { before, limit });
    ids.push(...page.items.map((r) => r.id));
    if (!page.next) return ids;
    before = page.next;
  }
  throw new Error('no end');
};

/** The behaviour every RunStore must have; each adapter's test file runs it. */
export const runStoreContract = (name: string, make: () => Promise<RunStore>) =>
  describe(`RunStore contract: ${name}`, () => {
    it('reads back a run exactly, refuses a duplicate id and answers null for an unknown one', async () => {
      const store = await make();
      const r = sampleRun();
      await store.createRun(r);
      expect(await store.getRun(r.id)).toEqual(r);
      await expect(store.createRun(r)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getRun('run-nothing-0000000')).toBeNull();
    });

    it('moves a run only from the statuses given, and moves it between status listings', async () => {
      const store = await make();
      const r = sampleRun();
      await store.createRun(r);
      expect(await store.moveRun(r.id, ['QUEUED'], { status: 'IN_PROGRESS', updatedAt: 'x' })).toBeNull();
      const moved = await store.moveRun(r.id, ['CREATED'], { status: 'QUEUED', updatedAt: '2026-02-02T00:00:00.000Z' });
      expect(moved).toMatchObject({ status: 'QUEUED', updatedAt: '2026-02-02T00:00:00.000Z' });
      expect(await drain(store, { kind: 'status', status: 'CREATED' }, 10)).not.toContain(r.id);
      expect(await drain(store, { kind: 'status', status: 'QUEUED' }, 10)).toContain(r.id);
      const error = { reason: 'boom', cellIndex: 2, ename: 'ValueError', evalue: 'boom', traceback: ['t'] };
      expect(
        await store.moveRun(r.id, ['QUEUED'], { status: 'FAILED', error, hasOutput: true, updatedAt: 'y' }),
      ).toMatchObject({ status: 'FAILED', error, hasOutput: true });
    });

    it('keeps the notebook title a run was started under through its moves and in every listing', async () => {
      // Prepare
      const store = await make();
      const r = sampleRun({ notebookId: 'nb-00000000000000cc', notebookTitle: 'Quarterly forecast (draft 2)' });
      await store.createRun(r);
      // Act
      const moved = await store.moveRun(r.id, ['CREATED'], { status: 'QUEUED', updatedAt: '2026-02-02T00:00:00.000Z' });
      const [got, byNotebook, byOwner, byStatus] = await Promise.all([
        store.getRun(r.id),
        store.listRuns({ kind: 'notebook', notebookId: 'nb-00000000000000cc' }, { limit: 5 }),
        store.listRuns({ kind: 'owner', owner: r.owner }, { limit: 200 }),
        store.listRuns({ kind: 'status', status: 'QUEUED' }, { limit: 200 }),
      ]);
      // Assess
      const titleOf = (items: Run[]) => items.find((i) => i.id === r.id)?.notebookTitle;
      expect([moved?.notebookTitle, got?.notebookTitle]).toEqual([
        'Quarterly forecast (draft 2)',
        'Quarterly forecast (draft 2)',
      ]);
      expect([titleOf(byNotebook.items), titleOf(byOwner.items), titleOf(byStatus.items)]).toEqual([
        'Quarterly forecast (draft 2)',
        'Quarterly forecast (draft 2)',
        'Quarterly forecast (draft 2)',
      ]);
    });

    it('keeps a run’s role and team, and records its token hash only while the run is in a status given', async () => {
      // Prepare
      const store = await make();
      const r = sampleRun({ role: 'ads-analyst', roleTeam: 'ads', status: 'QUEUED' });
      await store.createRun(r);
      // Act
      const refused = await store.moveRun(r.id, ['CREATED'], { runTokenHash: 'a'.repeat(64), updatedAt: 'x' });
      const hashed = await store.moveRun(r.id, ['CREATED', 'QUEUED'], { runTokenHash: 'b'.repeat(64), updatedAt: 'y' });
      const [got, listed] = await Promise.all([
        store.getRun(r.id),
        store.listRuns({ kind: 'owner', owner: r.owner }, { limit: 200 }),
      ]);
      // Assess
      expect(refused).toBeNull();
      expect(hashed).toMatchObject({ role: 'ads-analyst', roleTeam: 'ads', runTokenHash: 'b'.repeat(64) });
      expect(got).toEqual({ ...r, runTokenHash: 'b'.repeat(64), updatedAt: 'y' });
      expect(listed.items.find((i) => i.id === r.id)).toMatchObject({ role: 'ads-analyst', roleTeam: 'ads' });
    });

    it('lets exactly one of many racing moves win', async () => {
      const store = await make();
      const r = sampleRun({ status: 'IN_PROGRESS' });
      await store.createRun(r);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.moveRun(r.id, ['IN_PROGRESS'], { status: i % 2 ? 'COMPLETED' : 'STOPPING', updatedAt: `u${i}` }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('lists by owner and by notebook, newest first, across pages', async () => {
      const store = await make();
      const made: Run[] = [];
      for (let i = 0; i < 7; i += 1) {
        const r = sampleRun({
          owner: i % 2 ? 'bob' : 'carol',
          notebookId: i % 3 ? 'nb-00000000000000aa' : 'nb-00000000000000bb',
        });
        made.push(r);
        await store.createRun(r);
      }
      const newest = (f: (r: Run) => boolean) =>
        made
          .filter(f)
          .reverse()
          .map((r) => r.id);
      expect(await drain(store, { kind: 'owner', owner: 'bob' }, 2)).toEqual(newest((r) => r.owner === 'bob'));
      expect(await drain(store, { kind: 'notebook', notebookId: 'nb-00000000000000aa' }, 3)).toEqual(
        newest((r) => r.notebookId === 'nb-00000000000000aa'),
      );
    });

    it('counts the runs of one status created at or after an instant, following moves between statuses', async () => {
      // Prepare: runs a second apart; the window starts at the fourth.
      const store = await make();
      const made = Array.from({ length: 8 }, (_, i) => sampleRun({ status: i % 3 ? 'COMPLETED' : 'FAILED' }));
      for (const r of made) await store.createRun(r);
      const since = made[3]!.createdAt;
      await store.moveRun(made[5]!.id, ['COMPLETED'], { status: 'FAILED', updatedAt: '2026-02-03T00:00:00.000Z' });
      // Act
      const [completed, failed, queued] = await Promise.all([
        store.countRuns('COMPLETED', since),
        store.countRuns('FAILED', since),
        store.countRuns('QUEUED', since),
      ]);
      // Assess: from the fourth on, COMPLETED were 4, 5, 7 (5 has moved) and FAILED 3, 6, now 5 as well.
      expect([completed, failed, queued]).toEqual([2, 3, 0]);
    });

    it('gives an idempotency key to the first claimer until it expires', async () => {
      const store = await make();
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.claimIdempotencyKey(
            'alice',
            'k1',
            `run-claim-${i}`,
            '2026-01-01T00:00:00.000Z',
            '2026-01-02T00:00:00.000Z',
          ),
        ),
      );
      expect(new Set(claims).size).toBe(1);
      expect(
        await store.claimIdempotencyKey(
          'bob',
          'k1',
          'run-other',
          '2026-01-01T00:00:00.000Z',
          '2026-01-02T00:00:00.000Z',
        ),
      ).toBe('run-other');
      expect(
        await store.claimIdempotencyKey(
          'alice',
          'k1',
          'run-later',
          '2026-01-03T00:00:00.000Z',
          '2026-01-04T00:00:00.000Z',
        ),
      ).toBe('run-later');
    });
  });
