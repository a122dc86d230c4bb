import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from '../../../src/domain/errors.ts';
import { cullIdle } from '../../../src/use-cases/cull-idle.ts';
import { keepServerAlive } from '../../../src/use-cases/keep-server-alive.ts';
import { launchServer } from '../../../src/use-cases/launch-server.ts';
import { checkServerLaunch, createServerResources } from '../../../src/use-cases/launch-steps.ts';
import { reportActivity } from '../../../src/use-cases/report-activity.ts';
import { serverProgress } from '../../../src/use-cases/server-progress.ts';
import { serverExited, stopServer } from '../../../src/use-cases/stop-server.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import {
  at,
  busy,
  heartbeat,
  minutes,
  runningServer,
  type ServerTestDeps as Deps,
} from '../../support/server-scenarios.ts';

/** Lets a server go idle until the culler warns it: a heartbeat at 25 min, the sweep at 45 min. */
const warnedServer = async (deps: Deps) => {
  const s = await runningServer(deps);
  deps.clock.advance(minutes(25));
  await reportActivity(deps, { name: s.name, token: s.token, report: heartbeat });
  deps.clock.advance(minutes(20));
  await cullIdle(deps);
  return s;
};

const stored = async (deps: Deps, serverId: string) => (await deps.servers.getServer(serverId))!;

describe('stopServer', () => {
  it("stops the owner's server, removing its pod and giving its slot back", async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    // Act
    const view = await stopServer(deps, { user: people.alice, name: 'lab' });
    // Assess
    expect(view).toMatchObject({ status: 'STOPPED', stoppedBy: 'owner', reason: 'stopped by owner' });
    expect(deps.compute.removed).toEqual([s.serverId]);
    expect(await deps.servers.listSlots('alice')).toEqual([]);
    expect((await stored(deps, s.serverId)).cullCheckAt).toBeUndefined();
  });

  it('answers a second stop with the server as it is and removes nothing more', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await runningServer(deps);
    const first = await stopServer(deps, { user: people.alice, name: 'lab' });
    deps.clock.advance(minutes(1));
    // Act
    const again = await stopServer(deps, { user: people.alice, name: 'lab' });
    // Assess
    expect(again).toEqual(first);
    expect(deps.compute.removed).toHaveLength(1);
  });

  it("hides another user's server as not found", async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    // Act
    const err = await stopServer(deps, { user: people.bob, name: 'lab', owner: 'alice' }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(NotFoundError);
    expect((await stored(deps, s.serverId)).status).toBe('RUNNING');
  });

  it('lets an admin naming the owner stop it, recording which admin', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await runningServer(deps);
    // Act
    const view = await stopServer(deps, { user: people.root, name: 'lab', owner: 'alice' });
    // Assess
    expect(view).toMatchObject({ owner: 'alice', status: 'STOPPED', stoppedBy: 'admin root' });
  });

  it("stops a launching server, and the launch's next check answers cancelled", async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { server } = await launchServer(deps, { user: people.alice, name: 'lab' });
    const ref = { serverId: server.id, launchId: server.launchId };
    await createServerResources(deps, ref);
    deps.compute.observations.set(server.id, [{ state: 'ready', url: 'http://x:8888/' }]);
    // Act
    const view = await stopServer(deps, { user: people.alice, name: 'lab' });
    const check = await checkServerLaunch(deps, ref);
    // Assess
    expect(view.status).toBe('STOPPED');
    expect(check).toEqual({ state: 'cancelled' });
    expect(deps.compute.removed).toEqual([server.id]);
    expect(await deps.servers.listSlots('alice')).toEqual([]);
  });
});

describe('serverExited', () => {
  it('fails a running server whose process ended, with the reason', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    // Act
    await serverExited(deps, { serverId: s.serverId, launchId: s.launchId, reason: 'jupyter exited with code 1' });
    // Assess
    expect(await stored(deps, s.serverId)).toMatchObject({
      status: 'FAILED',
      reason: 'jupyter exited with code 1',
      stoppedBy: 'platform',
    });
    expect(deps.compute.removed).toEqual([s.serverId]);
    expect(await deps.servers.listSlots('alice')).toEqual([]);
  });

  it('changes nothing for a server already stopping or stopped, or for another launch', async () => {
    // Prepare
    const deps = memoryServerDeps({ limitPerUser: 5 });
    const stopping = await runningServer(deps, people.alice, 'stopping');
    await deps.servers.moveServer(stopping.serverId, ['RUNNING'], { status: 'STOPPING', updatedAt: at(0) });
    const stopped = await runningServer(deps, people.alice, 'stopped');
    await stopServer(deps, { user: people.alice, name: 'stopped' });
    const other = await runningServer(deps, people.alice, 'other');
    const before = await Promise.all([stopping, stopped, other].map((s) => stored(deps, s.serverId)));
    const removedBefore = deps.compute.removed.length;
    // Act
    await serverExited(deps, { serverId: stopping.serverId, launchId: stopping.launchId, reason: 'exited' });
    await serverExited(deps, { serverId: stopped.serverId, launchId: stopped.launchId, reason: 'exited' });
    await serverExited(deps, { serverId: other.serverId, launchId: 'launch-older', reason: 'exited' });
    // Assess
    expect(await Promise.all([stopping, stopped, other].map((s) => stored(deps, s.serverId)))).toEqual(before);
    expect(deps.compute.removed).toHaveLength(removedBefore);
  });
});

describe('reportActivity', () => {
  it('takes a busy kernel as activity now and moves the cull check', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    const checkBefore = (await stored(deps, s.serverId)).cullCheckAt;
    deps.clock.advance(minutes(10));
    // Act
    const result = await reportActivity(deps, { name: 'lab', token: s.token, report: busy });
    // Assess
    const after = await stored(deps, s.serverId);
    expect(result).toEqual({ status: 'RUNNING', lastActivity: at(minutes(10)), cullWarning: null });
    expect(after.lastActivity).toBe(at(minutes(10)));
    expect(checkBefore).toBe(at(minutes(30)));
    expect(after.cullCheckAt).toBe(at(minutes(40)));
    expect(after.cullCheckAt).toBe(deps.cullPolicy.nextCheck(after));
  });

  it('never moves the activity back for a report whose times are older than what is held', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    deps.clock.advance(minutes(20));
    await reportActivity(deps, {
      name: 'lab',
      token: s.token,
      report: { lastActivity: at(minutes(15)), kernels: [], jupyterReachable: true },
    });
    deps.clock.advance(minutes(5));
    // Act
    const result = await reportActivity(deps, {
      name: 'lab',
      token: s.token,
      report: {
        lastActivity: at(minutes(5)),
        kernels: [{ executionState: 'idle', lastActivity: at(minutes(1)) }],
        jupyterReachable: true,
      },
    });
    // Assess
    expect(result.lastActivity).toBe(at(minutes(15)));
    expect(await stored(deps, s.serverId)).toMatchObject({
      lastActivity: at(minutes(15)),
      lastReportAt: at(minutes(25)),
    });
  });

  it('does not count a kernel stuck in starting as activity', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    deps.clock.advance(minutes(10));
    // Act
    const result = await reportActivity(deps, {
      name: 'lab',
      token: s.token,
      report: { kernels: [{ executionState: 'starting', lastActivity: at(minutes(10)) }], jupyterReachable: true },
    });
    // Assess
    expect(result.lastActivity).toBe(at(0));
    expect((await stored(deps, s.serverId)).lastActivity).toBe(at(0));
  });

  it('refuses a missing, garbled or forged token as unauthorized', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    const forged = `osv1.${s.serverId}.${s.launchId}.${'A'.repeat(43)}`;
    // Act
    const errors = await Promise.all(
      [undefined, '', 'garbage', forged].map((token) =>
        reportActivity(deps, { name: 'lab', token, report: busy }).catch((e: unknown) => e),
      ),
    );
    // Assess
    for (const err of errors) expect(err).toBeInstanceOf(UnauthorizedError);
    expect((await stored(deps, s.serverId)).lastActivity).toBe(at(0));
  });

  it('refuses the token of an earlier launch of the same name', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const first = await runningServer(deps);
    await stopServer(deps, { user: people.alice, name: 'lab' });
    const second = await runningServer(deps);
    deps.clock.advance(minutes(5));
    // Act
    const err = await reportActivity(deps, { name: 'lab', token: first.token, report: busy }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(UnauthorizedError);
    await expect(reportActivity(deps, { name: 'lab', token: second.token, report: busy })).resolves.toMatchObject({
      lastActivity: at(minutes(5)),
    });
  });

  it("forbids one server's valid token on another server's path", async () => {
    // Prepare
    const deps = memoryServerDeps();
    const lab = await runningServer(deps, people.alice, 'lab');
    const scratch = await runningServer(deps, people.alice, 'scratch');
    deps.clock.advance(minutes(5));
    // Act
    const err = await reportActivity(deps, { name: 'lab', token: scratch.token, report: busy }).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((await stored(deps, lab.serverId)).lastActivity).toBe(at(0));
    expect((await stored(deps, scratch.serverId)).lastActivity).toBe(at(0));
  });

  it('refuses reports from a stopped server', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    await stopServer(deps, { user: people.alice, name: 'lab' });
    // Act
    const err = await reportActivity(deps, { name: 'lab', token: s.token, report: busy }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'server_not_running' });
  });

  it('ends a running server FAILED when its Jupyter no longer answers the reporter', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    // Act
    const result = await reportActivity(deps, {
      name: 'lab',
      token: s.token,
      report: { kernels: [], jupyterReachable: false },
    });
    // Assess
    expect(result.status).toBe('FAILED');
    expect(await stored(deps, s.serverId)).toMatchObject({
      status: 'FAILED',
      reason: expect.stringContaining('stopped answering'),
    });
    expect(deps.compute.removed).toEqual([s.serverId]);
    expect(await deps.servers.listSlots('alice')).toEqual([]);
  });

  it('drops a cull warning when activity newer than the warning comes', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await warnedServer(deps);
    const warned = await stored(deps, s.serverId);
    deps.clock.advance(minutes(5));
    // Act
    const result = await reportActivity(deps, {
      name: 'lab',
      token: s.token,
      report: { lastActivity: at(minutes(49)), kernels: [], jupyterReachable: true },
    });
    // Assess
    const after = await stored(deps, s.serverId);
    expect(warned.cullWarning).toMatchObject({ reason: 'idle' });
    expect(result.cullWarning).toBeNull();
    expect(after.cullWarning).toBeUndefined();
    expect(after.cullCheckAt).toBe(deps.cullPolicy.nextCheck(after));
    expect(Date.parse(after.cullCheckAt!)).toBeGreaterThan(Date.parse(warned.cullCheckAt!));
  });
});

describe('reportActivity and keepServerAlive after a silence warning', () => {
  /** A server that never reported, warned by the sweep at 31 min (heartbeat limit 30 min). */
  const silentServer = async (deps: Deps) => {
    const s = await runningServer(deps);
    deps.clock.advance(minutes(31));
    await cullIdle(deps);
    return s;
  };

  it('drops a silence warning on any report, activity or not, and moves the cull check to what the policy says', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await silentServer(deps);
    const warned = await stored(deps, s.serverId);
    deps.clock.advance(minutes(2));
    // Act
    const result = await reportActivity(deps, { name: 'lab', token: s.token, report: heartbeat });
    // Assess
    const after = await stored(deps, s.serverId);
    expect(warned.cullWarning).toMatchObject({ reason: 'no-heartbeat' });
    expect(result.cullWarning).toBeNull();
    expect(after.cullWarning).toBeUndefined();
    expect(after.cullCheckAt).toBe(deps.cullPolicy.nextCheck(after));
  });

  it("keeps a silence warning through a keepalive: only the server's own report answers it", async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await silentServer(deps);
    const warned = await stored(deps, s.serverId);
    deps.clock.advance(minutes(2));
    // Act
    const view = await keepServerAlive(deps, { user: people.alice, name: 'lab' });
    // Assess
    const after = await stored(deps, s.serverId);
    expect(view.cullWarning).toEqual(warned.cullWarning);
    expect(after.cullCheckAt).toBe(warned.cullWarning!.stopsAt);
  });
});

describe('keepServerAlive', () => {
  it('drops a cull warning, counts as activity now and pushes the cull check forward', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await warnedServer(deps);
    deps.clock.advance(minutes(5));
    await reportActivity(deps, { name: 'lab', token: s.token, report: heartbeat });
    const warned = await stored(deps, s.serverId);
    // Act
    const view = await keepServerAlive(deps, { user: people.alice, name: 'lab' });
    // Assess
    const after = await stored(deps, s.serverId);
    expect(warned.cullWarning).toBeDefined();
    expect(view).toMatchObject({ status: 'RUNNING', cullWarning: null, lastActivity: at(minutes(50)) });
    expect(after.cullWarning).toBeUndefined();
    expect(after.lastActivity).toBe(at(minutes(50)));
    expect(warned.cullCheckAt).toBe(at(minutes(60)));
    expect(after.cullCheckAt).toBe(at(minutes(80)));
    expect(after.cullCheckAt).toBe(deps.cullPolicy.nextCheck(after));
  });

  it('refuses to keep alive a server that is not running', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await launchServer(deps, { user: people.alice, name: 'lab' });
    // Act
    const err = await keepServerAlive(deps, { user: people.alice, name: 'lab' }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'server_not_running' });
  });

  it("hides someone else's server as not found", async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    deps.clock.advance(minutes(5));
    // Act
    const err = await keepServerAlive(deps, { user: people.amir, name: 'lab', owner: 'alice' }).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(err).toBeInstanceOf(NotFoundError);
    expect((await stored(deps, s.serverId)).lastActivity).toBe(at(0));
  });
});

describe('serverProgress', () => {
  const noPause = async () => {
    throw new Error('the progress request should not have waited');
  };

  it('sends the events after the one the client last saw', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { server } = await launchServer(deps, { user: people.alice, name: 'lab' });
    deps.compute.observations.set(server.id, [{ state: 'waiting', stage: 'scheduled' }]);
    await checkServerLaunch(deps, { serverId: server.id, launchId: server.launchId });
    // Act
    const all = await serverProgress({ ...deps, pause: noPause }, { user: people.alice, name: 'lab' });
    const later = await serverProgress({ ...deps, pause: noPause }, { user: people.alice, name: 'lab', after: 1 });
    // Assess
    expect(all.events.map((e) => e.id)).toEqual([1, 2]);
    expect(later).toEqual({ events: [expect.objectContaining({ id: 2, message: 'Pod scheduled' })], done: false });
  });

  it('answers at once with no events when it may not wait', async () => {
    // Prepare
    const deps = memoryServerDeps({ progressWaitMs: 0 });
    await launchServer(deps, { user: people.alice, name: 'lab' });
    // Act
    const result = await serverProgress({ ...deps, pause: noPause }, { user: people.alice, name: 'lab', after: 1 });
    // Assess
    expect(result).toEqual({ events: [], done: false });
  });

  it('ends with a ready event carrying the URL once the server runs', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    // Act
    const result = await serverProgress({ ...deps, pause: noPause }, { user: people.alice, name: 'lab', after: 1 });
    // Assess
    expect(result.done).toBe(true);
    expect(result.events.at(-1)).toMatchObject({
      ready: true,
      progress: 100,
      url: `http://${s.serverId}.orrery.svc:8888/user/alice/lab/`,
    });
  });

  it('ends with a failed event when the server was stopped while launching', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await launchServer(deps, { user: people.alice, name: 'lab' });
    await stopServer(deps, { user: people.alice, name: 'lab' });
    // Act
    const result = await serverProgress({ ...deps, pause: noPause }, { user: people.alice, name: 'lab', after: 1 });
    // Assess
    expect(result).toEqual({
      events: [expect.objectContaining({ id: 2, failed: true, message: expect.stringContaining('stopped by owner') })],
      done: true,
    });
  });

  it('waits for a new event and gives up with none once the wait time is over', async () => {
    // Prepare
    const deps = memoryServerDeps({ progressWaitMs: 2000 });
    await launchServer(deps, { user: people.alice, name: 'lab' });
    const pauses: number[] = [];
    const pause = async (ms: number) => {
      pauses.push(ms);
      deps.clock.advance(ms);
    };
    // Act
    const result = await serverProgress({ ...deps, pause }, { user: people.alice, name: 'lab', after: 1 });
    // Assess
    expect(result).toEqual({ events: [], done: false });
    expect(pauses.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(deps.clock.now().toISOString()).toBe(at(2000));
  });

  it('answers with the event that arrives while it waits', async () => {
    // Prepare
    const deps = memoryServerDeps({ progressWaitMs: 10_000 });
    const { server } = await launchServer(deps, { user: people.alice, name: 'lab' });
    deps.compute.observations.set(server.id, [{ state: 'waiting', stage: 'pulling' }]);
    let pauses = 0;
    const pause = async (ms: number) => {
      pauses += 1;
      deps.clock.advance(ms);
      if (pauses === 2) await checkServerLaunch(deps, { serverId: server.id, launchId: server.launchId });
    };
    // Act
    const result = await serverProgress({ ...deps, pause }, { user: people.alice, name: 'lab', after: 1 });
    // Assess
    expect(pauses).toBe(2);
    expect(result).toEqual({ events: [expect.objectContaining({ id: 2, message: 'Pulling the image' })], done: false });
  });
});
