import { describe, expect, it, vi } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/domain/errors.ts';
import type { User } from '../../../src/domain/user.ts';
import { archiveNotebook } from '../../../src/use-cases/archive-notebook.ts';
import { cancelRun } from '../../../src/use-cases/cancel-run.ts';
import { createNotebook } from '../../../src/use-cases/create-notebook.ts';
import { finalizeRun } from '../../../src/use-cases/finalize-run.ts';
import { getRun } from '../../../src/use-cases/get-run.ts';
import { listRuns, type RunFilter } from '../../../src/use-cases/list-runs.ts';
import { markRunStarted, prepareRun } from '../../../src/use-cases/prepare-run.ts';
import { rerunRun } from '../../../src/use-cases/rerun-run.ts';
import { startRun } from '../../../src/use-cases/start-run.ts';
import { FloatLiteral } from '../../../src/domain/typed-values.ts';
import { updateNotebook } from '../../../src/use-cases/update-notebook.ts';
import { memoryRunDeps, people } from '../../support/fakes.ts';
import { fixture } from '../../support/notebooks.ts';

type Deps = ReturnType<typeof memoryRunDeps>;

const seed = async (deps: Deps, visibility: 'private' | 'team' | 'org' = 'private') =>
  (
    await createNotebook(deps, {
      user: people.alice,
      title: 'Sales',
      visibility,
      content: fixture('parameters-basic.ipynb'),
    })
  ).notebook.id;

const outputWith = (orrery: Record<string, unknown>) =>
  new TextEncoder().encode(
    JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { orrery, papermill: { duration: 1.5 } }, cells: [] }),
  );

describe('startRun', () => {
  it('records the exact typed values, starts the workflow and queues the run', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const id = await seed(deps);
    // Act
    const run = await startRun(deps, {
      user: people.alice,
      notebookId: id,
      parameters: { days: 2n ** 64n, threshold: 'nan', region: 'us-east-1' },
    });
    // Assess
    expect(run).toMatchObject({
      status: 'QUEUED',
      version: 1,
      owner: 'alice',
      language: 'python',
      parameters: { days: '18446744073709551616', threshold: 'nan', region: 'us-east-1' },
    });
    expect(run.typedParameters.days).toEqual({ type: 'int', value: '18446744073709551616' });
    expect(deps.workflows.started).toEqual([run.id]);
  });

  it('refuses a value of the wrong type, naming the parameter, the type expected and what came', async () => {
    const deps = memoryRunDeps();
    const id = await seed(deps);
    const err = await startRun(deps, { user: people.alice, notebookId: id, parameters: { days: 'seven' } }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/days/);
    expect(err.message).toMatch(/int/);
    expect(deps.workflows.started).toEqual([]);
  });

  it('refuses unknown parameters unless asked, and names that are not identifiers always', async () => {
    const deps = memoryRunDeps();
    const id = await seed(deps);
    await expect(
      startRun(deps, { user: people.alice, notebookId: id, parameters: { colour: 'red' } }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      startRun(deps, {
        user: people.alice,
        notebookId: id,
        parameters: { colour: 'red' },
        allowUnknownParameters: true,
      }),
    ).resolves.toMatchObject({ parameters: { colour: 'red' } });
    await expect(
      startRun(deps, {
        user: people.alice,
        notebookId: id,
        parameters: { 'x=1;import os': 1 },
        allowUnknownParameters: true,
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      startRun(deps, { user: people.alice, notebookId: id, parameters: { class: 1 }, allowUnknownParameters: true }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('returns the same run for the same idempotency key, also when fifty requests race', async () => {
    const deps = memoryRunDeps();
    const id = await seed(deps);
    const runs = await Promise.all(
      Array.from({ length: 50 }, () =>
        startRun(deps, { user: people.alice, notebookId: id, idempotencyKey: 'report-q3' }),
      ),
    );
    expect(new Set(runs.map((r) => r.id)).size).toBe(1);
    expect(deps.workflows.started).toHaveLength(1);
    const other = (
      await createNotebook(deps, { user: people.alice, title: 'Other', content: fixture('parameters-basic.ipynb') })
    ).notebook.id;
    await expect(
      startRun(deps, { user: people.alice, notebookId: other, idempotencyKey: 'report-q3' }),
    ).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    await expect(
      startRun(deps, { user: people.bob, notebookId: other, idempotencyKey: 'report-q3' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lets whoever may read a notebook run it as themselves: a teammate a team one, anyone an org one', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const [priv, team, org] = [await seed(deps, 'private'), await seed(deps, 'team'), await seed(deps, 'org')];

    // Act
    const byTeammate = await startRun(deps, { user: people.amir, notebookId: team, parameters: { days: 9 } });
    const byAdmin = await startRun(deps, { user: people.root, notebookId: team });
    const byAnyone = await startRun(deps, { user: people.bob, notebookId: org });

    // Assess
    expect(byTeammate).toMatchObject({ owner: 'amir', notebookOwner: 'alice', status: 'QUEUED' });
    expect(byAdmin).toMatchObject({ owner: 'root', notebookOwner: 'alice' });
    expect(byAnyone).toMatchObject({ owner: 'bob', notebookOwner: 'alice' });
    await expect(startRun(deps, { user: people.bob, notebookId: team })).rejects.toBeInstanceOf(NotFoundError);
    await expect(startRun(deps, { user: people.amir, notebookId: priv })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps a teammate’s run of a team notebook to its starter, the notebook’s owner and admins', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const ana = { id: 'ana', name: 'Ana', teams: ['ads'], admin: false };
    const run = await startRun(deps, { user: people.amir, notebookId: await seed(deps, 'team') });
    const read = (user: typeof ana) => getRun(deps, { user, runId: run.id });

    // Act
    const readers = await Promise.all([people.amir, people.alice, people.root].map(read));
    const otherTeammate = await read(ana).catch((err: Error) => err);

    // Assess
    expect(readers.map((r) => r.owner)).toEqual(['amir', 'amir', 'amir']);
    expect(otherTeammate).toBeInstanceOf(NotFoundError);
    expect((await listRuns(deps, { user: ana, filter: { notebookId: run.notebookId }, limit: 10 })).items).toEqual([]);
  });

  it('runs an archived notebook for no one, its owner included (409)', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const team = await seed(deps, 'team');
    await archiveNotebook(deps, { user: people.alice, notebookId: team });

    // Act
    const byOwner = await startRun(deps, { user: people.alice, notebookId: team }).catch((err: Error) => err);
    const byTeammate = await startRun(deps, { user: people.amir, notebookId: team }).catch((err: Error) => err);

    // Assess
    expect(byOwner).toMatchObject({ name: 'ConflictError', code: 'archived' });
    expect(byTeammate).toBeInstanceOf(NotFoundError);
    expect(deps.workflows.started).toEqual([]);
  });

  it('fails the run with the reason when its workflow cannot start', async () => {
    const deps = memoryRunDeps();
    deps.workflows.failStart = true;
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps) });
    expect(run).toMatchObject({
      status: 'FAILED',
      error: { reason: expect.stringContaining('Step Functions is unavailable') },
    });
  });
});

describe('the run workflow steps', () => {
  it('injects the parameters into the stored input and presigns the runner’s input and output', async () => {
    const deps = memoryRunDeps();
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps), parameters: { days: 3 } });
    const { prepared } = await prepareRun(deps, { runId: run.id });
    const input = JSON.parse(new TextDecoder().decode((await deps.runFiles.get(run.inputKey))!));
    const injected = input.cells.find((c: { metadata: { tags?: string[] } }) =>
      c.metadata.tags?.includes('injected-parameters'),
    );
    expect(injected.source).toContain('days = 3');
    expect(prepared).toMatchObject({ runId: run.id, timeoutSeconds: 3600, launchTimeoutSeconds: 3900 });
  });

  it('records COMPLETED with the duration the runner reports', async () => {
    const deps = memoryRunDeps();
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps) });
    await markRunStarted(deps, { runId: run.id });
    await deps.runFiles.put(run.outputKey, outputWith({ status: 'COMPLETED', reason: null, error: null }));
    expect(await finalizeRun(deps, { runId: run.id })).toMatchObject({
      status: 'COMPLETED',
      durationSeconds: 1.5,
      hasOutput: true,
      error: null,
    });
  });

  it('records FAILED with the first failing cell, keeping the partial output', async () => {
    const deps = memoryRunDeps();
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps) });
    await deps.runFiles.put(
      run.outputKey,
      outputWith({
        status: 'FAILED',
        reason: null,
        error: { cellIndex: 2, ename: 'ValueError', evalue: 'boom', traceback: ['tb'] },
      }),
    );
    const ended = await finalizeRun(deps, {
      runId: run.id,
      failure: { Error: 'RunnerFailedError', Cause: '{"errorMessage":"the notebook did not complete"}' },
    });
    expect(ended).toMatchObject({
      status: 'FAILED',
      hasOutput: true,
      error: { cellIndex: 2, ename: 'ValueError', evalue: 'boom', traceback: ['tb'] },
    });
  });

  it('records FAILED with the step’s message when the runner left nothing', async () => {
    const deps = memoryRunDeps();
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps) });
    const ended = await finalizeRun(deps, {
      runId: run.id,
      failure: { Error: 'RunnerUnavailableError', Cause: JSON.stringify({ errorMessage: 'install python3-nbclient' }) },
    });
    expect(ended).toMatchObject({ status: 'FAILED', hasOutput: false, error: { reason: 'install python3-nbclient' } });
  });

  it('stops a run during launch: it never starts, and ends STOPPED with who stopped it', async () => {
    const deps = memoryRunDeps();
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps) });
    expect(await cancelRun(deps, { user: people.alice, runId: run.id })).toMatchObject({ status: 'STOPPING' });
    expect(deps.workflows.stopped).toEqual([run.id]);
    await expect(prepareRun(deps, { runId: run.id })).rejects.toMatchObject({ name: 'RunStoppedError' });
    await expect(markRunStarted(deps, { runId: run.id })).rejects.toMatchObject({ name: 'RunStoppedError' });
    expect(await finalizeRun(deps, { runId: run.id, failure: { Error: 'RunStoppedError' } })).toMatchObject({
      status: 'STOPPED',
      error: { reason: 'stopped by alice' },
    });
    await expect(cancelRun(deps, { user: people.alice, runId: run.id })).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('ending a run whatever its output holds', () => {
  // A notebook whose report says COMPLETED, padded to `bytes`: what the kernel could write had it the output URL.
  const paddedOutput = (bytes: number) => {
    const notebook = JSON.parse(
      new TextDecoder().decode(outputWith({ status: 'COMPLETED', reason: null, error: null })),
    );
    notebook.metadata.padding = 'x'.repeat(bytes);
    return new TextEncoder().encode(JSON.stringify(notebook));
  };

  it('presigns the runner’s URLs to expire with the Job’s deadline, not an hour past it', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps), timeoutSeconds: 600 });
    const presignPut = vi.spyOn(deps.runFiles, 'presignPut');
    const presignGet = vi.spyOn(deps.runFiles, 'presignGet');
    // Act
    await prepareRun(deps, { runId: run.id });
    // Assess: the Job's deadline is the timeout plus 120 s; a minute more covers the pod's grace and the last save.
    expect(presignPut).toHaveBeenCalledWith(run.outputKey, 600 + 180);
    expect(presignGet).toHaveBeenCalledWith(run.inputKey, 600 + 180);
  });

  it('ends FAILED, without reading it, an output larger than the runner can have written', async () => {
    // Prepare
    const deps = memoryRunDeps();
    deps.runSettings = { ...deps.runSettings, output: { maxOutputBytes: 1000, maxNotebookOutputBytes: 5000 } };
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps) });
    await prepareRun(deps, { runId: run.id });
    await markRunStarted(deps, { runId: run.id });
    await deps.runFiles.put(run.outputKey, paddedOutput(3 * 1024 * 1024));
    const get = vi.spyOn(deps.runFiles, 'get');
    // Act
    const ended = await finalizeRun(deps, { runId: run.id });
    // Assess
    expect(ended).toMatchObject({
      status: 'FAILED',
      hasOutput: false,
      error: { reason: expect.stringMatching(/output notebook is over the 1\.\d MB the runner can write for it/) },
    });
    expect(get).not.toHaveBeenCalled();
  });

  it('records that the runner cut outputs past its caps', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps) });
    await deps.runFiles.put(
      run.outputKey,
      outputWith({
        status: 'COMPLETED',
        reason: null,
        error: null,
        outputTruncated: { outputs: 1, omittedBytes: 239_000_000 },
      }),
    );
    // Act
    const ended = await finalizeRun(deps, { runId: run.id });
    // Assess
    expect(ended).toMatchObject({ status: 'COMPLETED', hasOutput: true, outputTruncated: true });
    expect(await getRun(deps, { user: people.alice, runId: run.id })).toMatchObject({ outputTruncated: true });
  });

  it('after a failure, ends the run with an output it cannot read as the reason, instead of failing again', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps) });
    await deps.runFiles.put(run.outputKey, outputWith({ status: 'COMPLETED', reason: null, error: null }));
    vi.spyOn(deps.runFiles, 'getBounded').mockRejectedValue(new Error('S3 did not answer'));
    // Act
    const first = finalizeRun(deps, { runId: run.id });
    const last = await finalizeRun(deps, {
      runId: run.id,
      failure: { Error: 'Lambda.Unknown', Cause: 'the function ran out of memory' },
    });
    // Assess: the first try fails, so the workflow's RecordFailure tries again, and that one ends the run.
    await expect(first).rejects.toThrow(/S3 did not answer/);
    expect(last).toMatchObject({
      status: 'FAILED',
      hasOutput: false,
      error: { reason: 'the function ran out of memory; its output notebook could not be read: S3 did not answer' },
    });
  });

  it('records the outcome from the failure alone when told not to read the output', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps) });
    await deps.runFiles.put(run.outputKey, outputWith({ status: 'COMPLETED', reason: null, error: null }));
    const getBounded = vi.spyOn(deps.runFiles, 'getBounded');
    // Act
    const ended = await finalizeRun(deps, {
      runId: run.id,
      failure: { Error: 'States.Timeout', Cause: 'RecordFailure timed out' },
      skipOutput: true,
    });
    // Assess
    expect(getBounded).not.toHaveBeenCalled();
    expect(ended).toMatchObject({
      status: 'FAILED',
      hasOutput: false,
      error: { reason: 'RecordFailure timed out; its output notebook was not read, as reading it had failed' },
    });
  });
});

describe('reading, listing and rerunning runs', () => {
  it('shows a run of a private notebook only to its starter, the notebook owner and admins', async () => {
    const deps = memoryRunDeps();
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps, 'team') });
    await expect(getRun(deps, { user: people.alice, runId: run.id })).resolves.toMatchObject({ id: run.id });
    await expect(getRun(deps, { user: people.root, runId: run.id })).resolves.toMatchObject({ id: run.id });
    await expect(getRun(deps, { user: people.amir, runId: run.id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(cancelRun(deps, { user: people.amir, runId: run.id })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists runs by notebook and by status, newest first, applying read access', async () => {
    // Prepare: Alice's private, team and org notebooks, run by her, by an admin and (the org one) by Bob.
    const deps = memoryRunDeps();
    const notebooks = { private: await seed(deps), team: await seed(deps, 'team'), org: await seed(deps, 'org') };
    const start = async (user: User, notebookId: string) => (await startRun(deps, { user, notebookId })).id;
    const [p1, p2] = [await start(people.alice, notebooks.private), await start(people.root, notebooks.private)];
    const [t1, t2] = [await start(people.alice, notebooks.team), await start(people.root, notebooks.team)];
    const [o1, o2] = [await start(people.alice, notebooks.org), await start(people.bob, notebooks.org)];
    const seen = async (user: User, filter: RunFilter) =>
      (await listRuns(deps, { user, filter, limit: 10 })).items.map((r) => r.id);
    const byNotebook = async (user: User) => ({
      private: await seen(user, { notebookId: notebooks.private }),
      team: await seen(user, { notebookId: notebooks.team }),
      org: await seen(user, { notebookId: notebooks.org }),
    });

    // Act
    const readers = [people.alice, people.root, people.amir, people.bob];
    const [alice, root, amir, bob] = await Promise.all(readers.map((reader) => byNotebook(reader)));
    const rootsToAlice = await seen(people.alice, { owner: 'root' });
    const rootsToAmir = await seen(people.amir, { owner: 'root' });
    const [own, queuedToBob] = [await seen(people.bob, {}), await seen(people.bob, { status: 'QUEUED' })];
    const queuedToRoot = await seen(people.root, { status: 'QUEUED' });
    const firstQueuedPage = await listRuns(deps, { user: people.root, filter: { status: 'QUEUED' }, limit: 1 });
    const completedToBob = await seen(people.bob, { status: 'COMPLETED' });

    // Assess: the notebook's owner and admins see every run; a starter sees their own; Amir, who may read the team
    // notebook as Alice's teammate, sees none of its runs.
    expect(alice).toEqual({ private: [p2, p1], team: [t2, t1], org: [o2, o1] });
    expect(root).toEqual({ private: [p2, p1], team: [t2, t1], org: [o2, o1] });
    expect(amir).toEqual({ private: [], team: [], org: [] });
    expect(bob).toEqual({ private: [], team: [], org: [o2] });
    expect(rootsToAlice).toEqual([t2, p2]);
    expect(rootsToAmir).toEqual([]);
    expect([own, queuedToBob]).toEqual([[o2], [o2]]);
    expect(queuedToRoot).toEqual([o2, o1, t2, t1, p2, p1]);
    expect(firstQueuedPage.nextCursor).not.toBeNull();
    expect(completedToBob).toEqual([]);
  });

  it('reruns with the same exact inputs and the overrides given', async () => {
    const deps = memoryRunDeps();
    const first = await startRun(deps, {
      user: people.alice,
      notebookId: await seed(deps),
      parameters: { days: 2n ** 70n, region: 'eu' },
    });
    const again = await rerunRun(deps, { user: people.alice, runId: first.id, parameters: { region: 'us' } });
    expect(again).toMatchObject({ rerunOf: first.id, parameters: { days: (2n ** 70n).toString(), region: 'us' } });
  });

  it('keeps the title the notebook had when each run started: a rename changes later runs and reruns, not earlier ones', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const id = await seed(deps);
    const first = await startRun(deps, { user: people.alice, notebookId: id });
    await updateNotebook(deps, { user: people.alice, notebookId: id, patch: { title: 'Sales by region' } });
    // Act
    const again = await rerunRun(deps, { user: people.alice, runId: first.id });
    const [firstNow, listed] = [
      await getRun(deps, { user: people.alice, runId: first.id }),
      await listRuns(deps, { user: people.alice, filter: {}, limit: 10 }),
    ];
    // Assess
    expect([first.notebookTitle, firstNow.notebookTitle, again.notebookTitle]).toEqual([
      'Sales',
      'Sales',
      'Sales by region',
    ]);
    expect(listed.items.map((r) => [r.id, r.notebookTitle])).toEqual([
      [again.id, 'Sales by region'],
      [first.id, 'Sales'],
    ]);
  });

  it('lets the notebook owner stop someone else’s run, and hides it from other readers of an org notebook', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const org = await seed(deps, 'org');
    const bobs = await startRun(deps, { user: people.bob, notebookId: org, parameters: { days: 9 } });
    // Act
    const byAmir = [
      getRun(deps, { user: people.amir, runId: bobs.id }),
      cancelRun(deps, { user: people.amir, runId: bobs.id }),
      rerunRun(deps, { user: people.amir, runId: bobs.id }),
    ];
    // Assess
    for (const attempt of byAmir) await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(getRun(deps, { user: people.alice, runId: bobs.id })).resolves.toMatchObject({
      parameters: { days: 9 },
    });
    await expect(cancelRun(deps, { user: people.alice, runId: bobs.id })).resolves.toMatchObject({
      status: 'STOPPING',
      stopRequestedBy: 'alice',
    });
  });

  it('pages filtered listings without losing or repeating a run: each sees only the runs they may read', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const org = await seed(deps, 'org');
    const started: Record<string, string[]> = { bob: [], amir: [] };
    for (let i = 0; i < 7; i += 1) {
      for (const who of ['bob', 'amir', 'bob'] as const)
        started[who]!.unshift((await startRun(deps, { user: people[who], notebookId: org })).id);
    }
    const all = async (user: (typeof people)[keyof typeof people], filter: { notebookId?: string; owner?: string }) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await listRuns(deps, { user, filter, limit: 2, cursor });
        seen.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 50);
      return seen;
    };
    // Act
    const [amirsByNotebook, bobsByNotebook, bobsToAmir, bobsToAlice] = [
      await all(people.amir, { notebookId: org }),
      await all(people.bob, { notebookId: org }),
      await all(people.amir, { owner: 'bob' }),
      await all(people.alice, { owner: 'bob' }),
    ];
    // Assess
    expect(amirsByNotebook).toEqual(started.amir);
    expect(bobsByNotebook).toEqual(started.bob);
    expect(bobsToAmir).toEqual([]);
    expect(bobsToAlice).toEqual(started.bob);
  });

  it('hides runs of a notebook that became private from other readers, and refuses them new runs', async () => {
    const deps = memoryRunDeps();
    const org = await seed(deps, 'org');
    const alices = await startRun(deps, { user: people.alice, notebookId: org });
    await updateNotebook(deps, { user: people.alice, notebookId: org, patch: { visibility: 'private' } });
    await expect(getRun(deps, { user: people.bob, runId: alices.id })).rejects.toBeInstanceOf(NotFoundError);
    expect((await listRuns(deps, { user: people.bob, filter: { notebookId: org }, limit: 10 })).items).toEqual([]);
    await expect(startRun(deps, { user: people.bob, notebookId: org })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('what the kernel language can and cannot take', () => {
  const bashNotebook = JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'bash', display_name: 'Bash', language: 'bash' } },
    cells: [
      {
        id: 'p',
        cell_type: 'code',
        metadata: { tags: ['parameters'] },
        source: 'name="x"',
        outputs: [],
        execution_count: null,
      },
    ],
  });

  it('refuses a list for bash and bash’s own variables as names, before anything starts', async () => {
    const deps = memoryRunDeps();
    const id = (await createNotebook(deps, { user: people.alice, title: 'sh', content: bashNotebook })).notebook.id;
    await expect(
      startRun(deps, {
        user: people.alice,
        notebookId: id,
        parameters: { items: [1, 2] },
        allowUnknownParameters: true,
      }),
    ).rejects.toThrow(/scalars only/);
    for (const name of ['PROMPT_COMMAND', 'PS1', 'BASH_ENV', 'PATH', 'IFS', 'LD_PRELOAD']) {
      await expect(
        startRun(deps, {
          user: people.alice,
          notebookId: id,
          parameters: { [name]: 'x' },
          allowUnknownParameters: true,
        }),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    expect(deps.workflows.started).toEqual([]);
  });

  it('keeps a whole float written with a decimal point a float, and refuses it for an int parameter', async () => {
    const deps = memoryRunDeps();
    const id = await seed(deps);
    const run = await startRun(deps, {
      user: people.alice,
      notebookId: id,
      parameters: { limits: { a: new FloatLiteral(1) }, threshold: new FloatLiteral(1e16) },
    });
    expect(run.typedParameters.limits).toEqual({ type: 'dict', entries: [['a', { type: 'float', value: 1 }]] });
    await expect(
      startRun(deps, { user: people.alice, notebookId: id, parameters: { days: new FloatLiteral(5) } }),
    ).rejects.toThrow(/days.*int/);
  });

  it('records a failure whose error is far too big to keep, cut to size, so the run still ends', async () => {
    const deps = memoryRunDeps();
    const run = await startRun(deps, { user: people.alice, notebookId: await seed(deps) });
    await deps.runFiles.put(
      run.outputKey,
      outputWith({
        status: 'FAILED',
        reason: 'x'.repeat(600_000),
        error: {
          cellIndex: 1,
          ename: 'ValueError',
          evalue: 'y'.repeat(600_000),
          traceback: Array(500).fill('z'.repeat(5000)),
        },
      }),
    );
    const ended = await finalizeRun(deps, { runId: run.id });
    expect(ended.status).toBe('FAILED');
    expect(JSON.stringify(ended.error).length).toBeLessThan(40_000);
  });
});
