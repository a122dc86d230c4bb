import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AppError,
  ConflictError,
  ServerLaunchFailedError,
  UpstreamError,
  ValidationError,
} from '../../../src/domain/errors.ts';
import type { Profile } from '../../../src/domain/profile.ts';
import { parseSlotHolder, serverIdFor, slotHolder } from '../../../src/domain/server.ts';
import { makeServerTasks } from '../../../src/handlers/tasks/server-tasks.ts';
import { DEFAULT_PROFILES } from '../../../src/config/profiles-config.ts';
import { getMe } from '../../../src/use-cases/get-me.ts';
import { launchServer } from '../../../src/use-cases/launch-server.ts';
import {
  checkServerLaunch,
  cleanUpServer,
  createServerResources,
  markServerRunning,
  recordServerFailure,
} from '../../../src/use-cases/launch-steps.ts';
import { listProfiles } from '../../../src/use-cases/server-queries.ts';
import { stopServer } from '../../../src/use-cases/stop-server.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';

type Deps = ReturnType<typeof memoryServerDeps>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const seconds = (n: number) => n * 1000;
const URL_OF_LAB = 'http://jupyter-lab.orrery.svc:8888/user/alice/lab/';

/** A profile like the default one, open only to `teams`. */
const teamProfile = (slug: string, teams: string[]): Profile => ({
  ...DEFAULT_PROFILES[0]!,
  slug,
  displayName: slug,
  teams,
});

/** Launches one of alice's servers and returns the launch the workflow would be started for. */
const launched = async (deps: Deps, name = 'lab') => {
  const { server, token } = await launchServer(deps, { user: people.alice, name });
  return { ref: { serverId: server.id, launchId: server.launchId }, token, server };
};

describe('launchServer', () => {
  it('records the server PENDING, hands the token to compute and starts the workflow for this launch', async () => {
    // Prepare
    const deps = memoryServerDeps();
    // Act
    const { server, token } = await launchServer(deps, { user: people.alice, name: 'lab' });
    // Assess
    expect(server).toMatchObject({
      id: serverIdFor('alice', 'lab'),
      owner: 'alice',
      name: 'lab',
      profile: 'cpu-small',
      status: 'PENDING',
      progress: [{ id: 1, progress: 10, message: 'Server requested' }],
    });
    expect(server.resources).toMatchObject({
      cpuRequest: 1000,
      cpuLimit: 2000,
      memoryRequest: 2 * 1024 ** 3,
      memoryLimit: 4 * 1024 ** 3,
    });
    expect(token).toMatch(/^osv1\./);
    expect(deps.compute.tokens.get(server.id)).toBe(token);
    expect(deps.workflows.launched).toEqual([{ serverId: server.id, launchId: server.launchId }]);
  });

  it('stores only the sha256 of the token, never the token itself', async () => {
    // Prepare
    const deps = memoryServerDeps();
    // Act
    const { server, token } = await launchServer(deps, { user: people.alice, name: 'lab' });
    // Assess
    const stored = await deps.servers.getServer(server.id);
    expect(stored?.tokenHash).toBe(sha256(token));
    expect(JSON.stringify(stored)).not.toContain(token.split('.').at(-1));
  });

  it('refuses a name that is not a slug', async () => {
    // Prepare
    const deps = memoryServerDeps();
    // Act
    const err = await launchServer(deps, { user: people.alice, name: 'My Lab' }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect(deps.workflows.launched).toEqual([]);
  });

  it('refuses an unknown profile, listing the slugs the caller may name', async () => {
    // Prepare
    const deps = memoryServerDeps();
    // Act
    const err = await launchServer(deps, { user: people.alice, name: 'lab', profile: 'huge' }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain('valid: cpu-small, cpu-large-spot, gpu-t4, pyspark');
  });

  it('refuses a profile restricted to another team as if it did not exist', async () => {
    // Prepare
    const deps = { ...memoryServerDeps(), profiles: [DEFAULT_PROFILES[0]!, teamProfile('ads-only', ['ads'])] };
    // Act
    const err = await launchServer(deps, { user: people.bob, name: 'lab', profile: 'ads-only' }).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/valid: cpu-small$/);
    await expect(launchServer(deps, { user: people.amir, name: 'lab', profile: 'ads-only' })).resolves.toMatchObject({
      server: { profile: 'ads-only' },
    });
  });

  it('refuses overrides outside the profile bounds, naming the bounds', async () => {
    // Prepare
    const deps = memoryServerDeps();
    // Act
    const cpu = await launchServer(deps, { user: people.alice, name: 'lab', overrides: { cpu: '3' } }).catch(
      (e: unknown) => e,
    );
    const memory = await launchServer(deps, { user: people.alice, name: 'lab', overrides: { memory: '512Mi' } }).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(cpu).toBeInstanceOf(ValidationError);
    expect((cpu as Error).message).toContain('between 500m and 2');
    expect(memory).toBeInstanceOf(ValidationError);
    expect((memory as Error).message).toContain('between 1Gi and 4Gi');
    await expect(
      launchServer(deps, { user: people.alice, name: 'lab', overrides: { cpu: '500m', memory: '4Gi' } }),
    ).resolves.toMatchObject({ server: { resources: { cpuRequest: 500, memoryRequest: 4 * 1024 ** 3 } } });
  });

  it('refuses an image the profile does not allow, listing the allowed ones', async () => {
    // Prepare
    const deps = memoryServerDeps();
    // Act
    const err = await launchServer(deps, {
      user: people.alice,
      name: 'lab',
      overrides: { image: 'docker.io/evil/miner:latest' },
    }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain('quay.io/jupyter/pyspark-notebook:2025-06-30');
    expect(deps.compute.tokens.size).toBe(0);
  });

  it('refuses to launch a name that is already active', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await launchServer(deps, { user: people.alice, name: 'lab' });
    // Act
    const err = await launchServer(deps, { user: people.alice, name: 'lab' }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ConflictError);
    expect(deps.workflows.launched).toHaveLength(1);
  });

  it('refuses a launch past the per-user limit, naming the active servers', async () => {
    // Prepare
    const deps = memoryServerDeps({ limitPerUser: 2 });
    await launchServer(deps, { user: people.alice, name: 'one' });
    await launchServer(deps, { user: people.alice, name: 'two' });
    // Act
    const err = await launchServer(deps, { user: people.alice, name: 'three' }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'server_limit', message: expect.stringContaining('one, two') });
    await expect(launchServer(deps, { user: people.bob, name: 'three' })).resolves.toMatchObject({
      server: { owner: 'bob' },
    });
  });

  it('fits a new launch once one of the servers at the limit is stopped', async () => {
    // Prepare
    const deps = memoryServerDeps({ limitPerUser: 2 });
    await launchServer(deps, { user: people.alice, name: 'one' });
    await launchServer(deps, { user: people.alice, name: 'two' });
    await stopServer(deps, { user: people.alice, name: 'one' });
    // Act
    const { server } = await launchServer(deps, { user: people.alice, name: 'three' });
    // Assess
    expect(server).toMatchObject({ status: 'PENDING', slot: 0 });
    expect((await deps.servers.listSlots('alice')).map((s) => parseSlotHolder(s.holder).serverId).sort()).toEqual(
      [serverIdFor('alice', 'three'), serverIdFor('alice', 'two')].sort(),
    );
  });

  it('reuses a slot an ended server never gave back once it is a minute old, but not while it is fresh', async () => {
    // Prepare
    const deps = memoryServerDeps({ limitPerUser: 1 });
    const old = await launched(deps, 'old');
    await stopServer(deps, { user: people.alice, name: 'old' });
    await deps.servers.takeSlot('alice', 0, old.ref.serverId, deps.clock.now().toISOString());
    // Act
    const fresh = await launchServer(deps, { user: people.alice, name: 'new' }).catch((e: unknown) => e);
    deps.clock.advance(seconds(61));
    const { server } = await launchServer(deps, { user: people.alice, name: 'new' });
    // Assess
    expect(fresh).toMatchObject({ code: 'server_limit' });
    expect(server.slot).toBe(0);
    expect(await deps.servers.listSlots('alice')).toEqual([
      expect.objectContaining({ slot: 0, holder: slotHolder(server.id, server.launchId) }),
    ]);
  });

  it('keeps the winner’s slot when two launches of the same name race, so the limit still holds', async () => {
    // Prepare
    const deps = memoryServerDeps({ limitPerUser: 2 });
    // Act
    const race = await Promise.allSettled([
      launchServer(deps, { user: people.alice, name: 'lab' }),
      launchServer(deps, { user: people.alice, name: 'lab' }),
    ]);
    await launchServer(deps, { user: people.alice, name: 'other' });
    const past = await launchServer(deps, { user: people.alice, name: 'third' }).catch((e: unknown) => e);
    // Assess
    expect(race.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = (
      race.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ server: { id: string; launchId: string } }>
    ).value.server;
    expect((await deps.servers.listSlots('alice')).map((s) => s.holder)).toContain(
      slotHolder(winner.id, winner.launchId),
    );
    expect(past).toMatchObject({ code: 'server_limit' });
  });

  it('lets exactly as many of five concurrent launches through as the limit allows', async () => {
    // Prepare
    const deps = memoryServerDeps({ limitPerUser: 2 });
    const names = ['a', 'b', 'c', 'd', 'e'];
    // Act
    const results = await Promise.allSettled(names.map((name) => launchServer(deps, { user: people.alice, name })));
    // Assess
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(2);
    expect(lost.map((r) => (r.reason as AppError).code)).toEqual(['server_limit', 'server_limit', 'server_limit']);
    expect(await deps.servers.listSlots('alice')).toHaveLength(2);
    expect(deps.workflows.launched).toHaveLength(2);
  });

  it('fails the server and gives its slot back when the workflow cannot start, answering with an UpstreamError', async () => {
    // Prepare
    const deps = memoryServerDeps();
    deps.workflows.failStart = true;
    // Act
    const err = await launchServer(deps, { user: people.alice, name: 'lab' }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toBeInstanceOf(AppError);
    expect(await deps.servers.getServer(serverIdFor('alice', 'lab'))).toMatchObject({
      status: 'FAILED',
      reason: expect.stringContaining('Step Functions is unavailable'),
    });
    expect(await deps.servers.listSlots('alice')).toEqual([]);
  });
});

describe('launch steps', () => {
  it('creates the pod with the Jupyter base path, the activity URL and the profile pool', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { ref } = await launched(deps);
    // Act
    const result = await createServerResources(deps, ref);
    // Assess
    expect(result).toEqual({ state: 'created' });
    expect(deps.compute.created).toEqual([
      expect.objectContaining({
        serverId: ref.serverId,
        launchId: ref.launchId,
        owner: 'alice',
        name: 'lab',
        basePath: '/user/alice/lab/',
        activityUrl: 'http://127.0.0.1:1/api/servers/lab/activity',
        apiUrl: 'http://127.0.0.1:1/api',
        pool: DEFAULT_PROFILES[0]!.pool,
      }),
    ]);
  });

  it('answers cancelled from create, check and markRunning once the server was stopped', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { ref } = await launched(deps);
    deps.compute.observations.set(ref.serverId, [{ state: 'ready', url: URL_OF_LAB }]);
    await stopServer(deps, { user: people.alice, name: 'lab' });
    // Act
    const created = await createServerResources(deps, ref);
    const checked = await checkServerLaunch(deps, ref);
    const marked = await markServerRunning(deps, { ...ref, url: URL_OF_LAB });
    // Assess
    expect([created.state, checked.state, marked.state]).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(deps.compute.created).toEqual([]);
    expect(await deps.servers.getServer(ref.serverId)).toMatchObject({ status: 'STOPPED' });
  });

  it('adds a progress event only when the launch reaches a new stage', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { ref } = await launched(deps);
    deps.compute.observations.set(ref.serverId, [
      { state: 'waiting', stage: 'scheduled' },
      { state: 'waiting', stage: 'scheduled' },
      { state: 'waiting', stage: 'pulling' },
      { state: 'waiting', stage: 'pulling' },
    ]);
    // Act
    const states = [];
    for (let i = 0; i < 4; i += 1) {
      deps.clock.advance(seconds(5));
      states.push((await checkServerLaunch(deps, ref)).state);
    }
    // Assess
    expect(states).toEqual(['waiting', 'waiting', 'waiting', 'waiting']);
    const progress = (await deps.servers.getServer(ref.serverId))!.progress;
    expect(progress.map((e) => [e.id, e.message])).toEqual([
      [1, 'Server requested'],
      [2, 'Pod scheduled'],
      [3, 'Pulling the image'],
    ]);
  });

  it('fails a launch whose Jupyter did not answer within the launch timeout', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { ref } = await launched(deps);
    deps.compute.observations.set(ref.serverId, [{ state: 'waiting', stage: 'started' }]);
    deps.clock.advance(seconds(299));
    const before = await checkServerLaunch(deps, ref);
    deps.clock.advance(seconds(1));
    // Act
    const err = await checkServerLaunch(deps, ref).catch((e: unknown) => e);
    // Assess
    expect(before.state).toBe('waiting');
    expect(err).toBeInstanceOf(ServerLaunchFailedError);
    expect((err as Error).message).toContain('did not answer within 300 s');
  });

  it('fails a pod the scheduler cannot place past the unschedulable time, with the scheduler message', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { ref } = await launched(deps);
    const scheduler = '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.';
    deps.compute.observations.set(ref.serverId, [{ state: 'waiting', stage: 'requested', unschedulable: scheduler }]);
    deps.clock.advance(seconds(60));
    const before = await checkServerLaunch(deps, ref);
    deps.clock.advance(seconds(120));
    // Act
    const err = await checkServerLaunch(deps, ref).catch((e: unknown) => e);
    // Assess
    expect(before.state).toBe('waiting');
    expect((await deps.servers.getServer(ref.serverId))!.progress.at(-1)?.message).toBe(
      `Waiting for a node: ${scheduler}`,
    );
    expect(err).toBeInstanceOf(ServerLaunchFailedError);
    expect((err as Error).message).toContain(scheduler);
  });

  it('fails a launch whose pod failed, with the reason it gave', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { ref } = await launched(deps);
    deps.compute.observations.set(ref.serverId, [
      { state: 'failed', reason: 'ErrImagePull: quay.io/jupyter/nope:1 not found' },
    ]);
    // Act
    const err = await checkServerLaunch(deps, ref).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ServerLaunchFailedError);
    expect((err as Error).message).toContain('ErrImagePull: quay.io/jupyter/nope:1 not found');
  });

  it('marks the server RUNNING with its URL, start time and first cull check', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { ref } = await launched(deps);
    deps.clock.advance(seconds(40));
    // Act
    const result = await markServerRunning(deps, { ...ref, url: URL_OF_LAB });
    // Assess
    const stored = (await deps.servers.getServer(ref.serverId))!;
    expect(result).toEqual({ state: 'running' });
    expect(stored).toMatchObject({
      status: 'RUNNING',
      url: URL_OF_LAB,
      startedAt: '2026-01-05T09:00:40.000Z',
      lastActivity: '2026-01-05T09:00:40.000Z',
    });
    // With nothing reported yet the heartbeat (30 min) comes before the idle warning (60 − 15 min).
    expect(stored.cullCheckAt).toBe('2026-01-05T09:30:40.000Z');
    expect(stored.cullCheckAt).toBe(deps.cullPolicy.nextCheck(stored));
    expect(stored.progress.at(-1)).toMatchObject({ progress: 100, ready: true });
  });

  it('records a workflow failure as FAILED with the error message, a failed last event and the slot back', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { ref } = await launched(deps);
    const failure = {
      Error: 'ServerLaunchFailedError',
      Cause: JSON.stringify({
        errorType: 'ServerLaunchFailedError',
        errorMessage: 'Jupyter did not answer within 300 s; last seen started',
        trace: [],
      }),
    };
    // Act
    const result = await recordServerFailure(deps, { ...ref, failure });
    // Assess
    const stored = (await deps.servers.getServer(ref.serverId))!;
    expect(result).toEqual({ status: 'FAILED' });
    expect(stored).toMatchObject({
      status: 'FAILED',
      reason: 'Jupyter did not answer within 300 s; last seen started',
    });
    expect(stored.progress.at(-1)).toMatchObject({
      failed: true,
      message: 'Spawn failed: Jupyter did not answer within 300 s; last seen started',
    });
    expect(await deps.servers.listSlots('alice')).toEqual([]);
  });

  it('records a failure a second time without changing anything', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { ref } = await launched(deps);
    await recordServerFailure(deps, { ...ref, failure: { Error: 'States.Timeout', Cause: 'the task timed out' } });
    const first = await deps.servers.getServer(ref.serverId);
    deps.clock.advance(seconds(10));
    // Act
    const again = await recordServerFailure(deps, {
      ...ref,
      failure: { Error: 'States.Timeout', Cause: 'something else' },
    });
    // Assess
    expect(again).toEqual({ status: 'FAILED' });
    expect(await deps.servers.getServer(ref.serverId)).toEqual(first);
    expect(first?.reason).toBe('the task timed out');
  });

  it('leaves alone the pod of a newer launch of the same name when cleaning up', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const first = await launched(deps);
    await stopServer(deps, { user: people.alice, name: 'lab' });
    const second = await launched(deps);
    const removedBefore = [...deps.compute.removed];
    // Act
    await cleanUpServer(deps, first.ref);
    // Assess
    expect(second.ref.launchId).not.toBe(first.ref.launchId);
    expect(deps.compute.removed).toEqual(removedBefore);
    await cleanUpServer(deps, second.ref);
    expect(deps.compute.removed).toEqual([...removedBefore, second.ref.serverId]);
  });
});

describe('makeServerTasks', () => {
  it('drives a launch through its steps, always answering check with a url key', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const tasks = makeServerTasks(deps);
    const { ref } = await launched(deps);
    deps.compute.observations.set(ref.serverId, [
      { state: 'waiting', stage: 'scheduled' },
      { state: 'ready', url: URL_OF_LAB },
    ]);
    // Act
    const created = await tasks({ step: 'create', ...ref });
    const waiting = await tasks({ step: 'check', ...ref });
    const ready = (await tasks({ step: 'check', ...ref })) as { url: string };
    const running = await tasks({ step: 'markRunning', ...ref, url: ready.url });
    // Assess
    expect(created).toEqual({ state: 'created' });
    expect(waiting).toEqual({ state: 'waiting', url: null });
    expect(ready).toEqual({ state: 'ready', url: URL_OF_LAB });
    expect(running).toEqual({ state: 'running' });
    expect(await deps.servers.getServer(ref.serverId)).toMatchObject({ status: 'RUNNING', url: URL_OF_LAB });
  });

  it('throws on an unknown step, naming the known ones', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const tasks = makeServerTasks(deps);
    const { ref } = await launched(deps);
    // Act
    const err = await tasks({ step: 'launch', ...ref }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain('known: create, check, markRunning, cleanUp, recordFailure');
  });
});

describe('listProfiles', () => {
  it('shows a user only the profiles open to their teams or to everyone', async () => {
    // Prepare
    const deps = {
      ...memoryServerDeps(),
      profiles: [DEFAULT_PROFILES[0]!, teamProfile('ads-gpu', ['ads']), teamProfile('risk-big', ['risk', 'quant'])],
    };
    // Act
    const bob = listProfiles(deps, { user: people.bob });
    const root = listProfiles(deps, { user: people.root });
    const me = getMe({ ...deps, roles: [] }, { user: people.bob });
    // Assess
    expect(bob.items.map((p) => p.slug)).toEqual(['cpu-small', 'risk-big']);
    expect(bob.items[0]).toMatchObject({
      cpu: { request: '1', min: '500m', limit: '2' },
      memory: { request: '2Gi', min: '1Gi', limit: '4Gi' },
    });
    expect(root.items.map((p) => p.slug)).toEqual(['cpu-small', 'ads-gpu', 'risk-big']);
    expect(me.entitlements.profiles).toEqual(['cpu-small', 'risk-big']);
  });
});
