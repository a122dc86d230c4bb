import { describe, expect, it } from 'vitest';
import type { ActivityReport } from '../../../src/domain/activity.ts';
import { ForbiddenError, UpstreamError, ValidationError } from '../../../src/domain/errors.ts';
import type { CullRecord } from '../../../src/ports/server-store.ts';
import { cullIdle } from '../../../src/use-cases/cull-idle.ts';
import { keepServerAlive } from '../../../src/use-cases/keep-server-alive.ts';
import { launchServer } from '../../../src/use-cases/launch-server.ts';
import { listCulls } from '../../../src/use-cases/list-culls.ts';
import { reportActivity } from '../../../src/use-cases/report-activity.ts';
import { stopServer } from '../../../src/use-cases/stop-server.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import {
  at,
  busy,
  heartbeat,
  hours,
  minutes,
  runningServer,
  type ServerTestDeps as Deps,
} from '../../support/server-scenarios.ts';
import { createServerResources, markServerRunning } from '../../../src/use-cases/launch-steps.ts';

type Running = Awaited<ReturnType<typeof runningServer>>;

const report = (deps: Deps, s: Running, r: ActivityReport) =>
  reportActivity(deps, { name: s.name, token: s.token, report: r });
const stored = async (deps: Deps, serverId: string) => (await deps.servers.getServer(serverId))!;
const allCulls = async (deps: Deps) => (await deps.servers.listCulls({ limit: 1000 })).items;

/** An idle server warned by the sweep at 45 min (idle timeout 60 − warning 15), alive by a heartbeat at 25 min. */
const warnedServer = async (deps: Deps) => {
  const s = await runningServer(deps);
  deps.clock.advance(minutes(25));
  await report(deps, s, heartbeat);
  deps.clock.advance(minutes(20));
  const sweep = await cullIdle(deps);
  return { s, sweep };
};

/** Moves on to the warning's stop time, the server reporting (nothing new) on the way. */
const untilStopsAt = async (deps: Deps, s: Running) => {
  deps.clock.advance(minutes(5));
  await report(deps, s, heartbeat);
  deps.clock.advance(minutes(10));
};

describe('cullIdle', () => {
  it('warns an idle server once, telling the owner how to keep it, without stopping it', async () => {
    // Prepare
    const deps = memoryServerDeps();
    // Act
    const { s, sweep } = await warnedServer(deps);
    const again = await cullIdle(deps);
    // Assess
    expect(sweep).toMatchObject({ warned: 1, stopped: 0 });
    expect(again).toMatchObject({ warned: 0, stopped: 0 });
    expect(await stored(deps, s.serverId)).toMatchObject({
      status: 'RUNNING',
      cullWarning: { reason: 'idle', warnedAt: at(minutes(45)), stopsAt: at(minutes(60)) },
    });
    expect(deps.notifier.notices).toEqual([
      expect.objectContaining({ user: 'alice', text: expect.stringContaining('POST /servers/lab/keepalive') }),
    ]);
    expect(deps.compute.removed).toEqual([]);
  });

  it('stops a warned idle server at its stop time, with its Spark applications, and logs the cull', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { s } = await warnedServer(deps);
    await untilStopsAt(deps, s);
    deps.compute.sparkApps = ['spark-1'];
    // Act
    const sweep = await cullIdle(deps);
    // Assess
    expect(sweep).toMatchObject({ stopped: 1, warned: 0 });
    expect(await stored(deps, s.serverId)).toMatchObject({
      status: 'STOPPED',
      stoppedBy: 'culler',
      stoppedAt: at(minutes(60)),
      reason: expect.stringContaining('culled: idle since'),
    });
    expect(deps.compute.removed).toEqual([s.serverId]);
    expect(await allCulls(deps)).toEqual([
      expect.objectContaining({
        serverId: s.serverId,
        owner: 'alice',
        name: 'lab',
        reason: 'idle',
        lastActivity: at(0),
        sparkApplications: ['spark-1'],
      }),
    ]);
    expect(deps.notifier.notices.at(-1)).toMatchObject({ user: 'alice', subject: "Server 'lab' was stopped" });
    expect(await deps.servers.listSlots('alice')).toEqual([]);
  });

  it('stops a busy server at its max age, even though it reports activity every five minutes', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    const warnings: string[] = [];
    // Act
    for (let t = minutes(5); t <= hours(14) && (await stored(deps, s.serverId)).status === 'RUNNING'; t += minutes(5)) {
      deps.clock.advance(minutes(5));
      await report(deps, s, busy);
      const sweep = await cullIdle(deps);
      if (sweep.warned) warnings.push(deps.clock.now().toISOString());
    }
    // Assess
    expect(warnings[0]).toBe(at(hours(12) - minutes(15)));
    expect(await stored(deps, s.serverId)).toMatchObject({
      status: 'STOPPED',
      stoppedBy: 'culler',
      stoppedAt: at(hours(12)),
    });
    expect(await allCulls(deps)).toEqual([expect.objectContaining({ reason: 'max-age' })]);
  });

  it('does not let keepalive carry a server past its max age', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    // Act
    for (let t = minutes(5); t <= hours(14) && (await stored(deps, s.serverId)).status === 'RUNNING'; t += minutes(5)) {
      deps.clock.advance(minutes(5));
      await report(deps, s, heartbeat);
      if ((await stored(deps, s.serverId)).cullWarning)
        await keepServerAlive(deps, { user: people.alice, name: 'lab' });
      await cullIdle(deps);
    }
    // Assess
    expect(await stored(deps, s.serverId)).toMatchObject({ status: 'STOPPED', stoppedAt: at(hours(12)) });
    expect(await allCulls(deps)).toEqual([expect.objectContaining({ reason: 'max-age' })]);
  });

  it('never culls a server that is launching or stopping before its own deadline', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { server: pending } = await launchServer(deps, { user: people.alice, name: 'launching' });
    const stopping = await runningServer(deps, people.alice, 'stopping');
    deps.compute.remove = async () => {
      throw new UpstreamError('the Kubernetes API is down');
    };
    await stopServer(deps, { user: people.alice, name: 'stopping' }).catch(() => undefined);
    deps.clock.advance(minutes(4));
    // Act
    const sweep = await cullIdle(deps);
    // Assess
    expect(sweep).toMatchObject({ examined: 0, warned: 0, stopped: 0, repaired: 0 });
    expect((await stored(deps, pending.id)).status).toBe('PENDING');
    expect((await stored(deps, stopping.serverId)).status).toBe('STOPPING');
    expect(await allCulls(deps)).toEqual([]);
  });

  it('finishes a launch past its deadline as FAILED and a teardown that failed earlier, without logging a cull', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { server: pending } = await launchServer(deps, { user: people.alice, name: 'launching' });
    const stopping = await runningServer(deps, people.alice, 'stopping');
    const remove = deps.compute.remove.bind(deps.compute);
    deps.compute.remove = async () => {
      throw new UpstreamError('the Kubernetes API is down');
    };
    const failedStop = await stopServer(deps, { user: people.alice, name: 'stopping' }).catch((e: unknown) => e);
    deps.compute.remove = remove;
    deps.clock.advance(minutes(16));
    // Act
    const sweep = await cullIdle(deps);
    // Assess
    expect(failedStop).toBeInstanceOf(UpstreamError);
    expect(sweep).toMatchObject({ examined: 2, repaired: 2, stopped: 0, problems: [] });
    expect(await stored(deps, pending.id)).toMatchObject({
      status: 'FAILED',
      reason: expect.stringMatching(/did not finish within 300 s/),
    });
    expect(await stored(deps, stopping.serverId)).toMatchObject({ status: 'STOPPED', stoppedBy: 'owner' });
    expect(deps.compute.removed.sort()).toEqual([pending.id, stopping.serverId].sort());
    expect(await deps.servers.listSlots('alice')).toEqual([]);
    expect(await allCulls(deps)).toEqual([]);
  });

  it('logs a cull whose teardown failed, reports the problem, and finishes the teardown on a later sweep', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { s } = await warnedServer(deps);
    const other = await runningServer(deps, people.amir, 'other');
    await untilStopsAt(deps, s);
    const remove = deps.compute.remove.bind(deps.compute);
    deps.compute.remove = async (id: string) => {
      if (id === s.serverId) throw new UpstreamError('the Kubernetes API is down');
      return remove(id);
    };
    // Act
    const first = await cullIdle(deps);
    deps.compute.remove = remove;
    deps.clock.advance(minutes(6));
    const second = await cullIdle(deps);
    // Assess
    expect(first.problems).toEqual([expect.stringMatching(/Kubernetes API is down/)]);
    expect(first.stopped).toBe(1);
    expect(second.repaired).toBe(1);
    expect(await allCulls(deps)).toHaveLength(1);
    expect((await stored(deps, s.serverId)).status).toBe('STOPPED');
    expect((await stored(deps, other.serverId)).status).toBe('RUNNING');
  });

  it('stops a server once and logs one cull when two sweeps run at once', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { s } = await warnedServer(deps);
    await untilStopsAt(deps, s);
    // Act
    const sweeps = await Promise.all([cullIdle(deps), cullIdle(deps)]);
    // Assess
    expect(sweeps[0].stopped + sweeps[1].stopped).toBe(1);
    expect(await allCulls(deps)).toHaveLength(1);
    expect(deps.compute.removed).toEqual([s.serverId]);
    expect(deps.notifier.notices.filter((n) => n.subject.endsWith('was stopped'))).toHaveLength(1);
  });

  it('keeps a warned server whose owner used it before the stop time', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { s } = await warnedServer(deps);
    deps.clock.advance(minutes(5));
    await report(deps, s, { lastActivity: at(minutes(49)), kernels: [], jupyterReachable: true });
    deps.clock.advance(minutes(10));
    // Act
    const sweep = await cullIdle(deps);
    // Assess
    expect(sweep.stopped).toBe(0);
    expect(await stored(deps, s.serverId)).toMatchObject({ status: 'RUNNING', lastActivity: at(minutes(49)) });
    expect(deps.compute.removed).toEqual([]);
    expect(await allCulls(deps)).toEqual([]);
  });

  it('keeps a server whose activity arrives after the sweep read it', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { s } = await warnedServer(deps);
    await untilStopsAt(deps, s);
    const read = deps.servers.listCullCandidates.bind(deps.servers);
    deps.servers.listCullCandidates = async (due, page) => {
      const candidates = await read(due, page);
      await report(deps, s, busy);
      return candidates;
    };
    // Act
    const sweep = await cullIdle(deps);
    // Assess
    expect(sweep).toMatchObject({ examined: 1, stopped: 0 });
    expect(await stored(deps, s.serverId)).toMatchObject({ status: 'RUNNING', lastActivity: at(minutes(60)) });
    expect(deps.compute.removed).toEqual([]);
    expect(await allCulls(deps)).toEqual([]);
  });

  it('reads only the servers that are due, not every running one', async () => {
    // Prepare
    const deps = memoryServerDeps({ limitPerUser: 50 });
    const servers = [];
    for (let i = 0; i < 50; i += 1) servers.push(await runningServer(deps, people.alice, `lab-${i}`));
    deps.clock.advance(minutes(25));
    for (const [i, s] of servers.entries()) await report(deps, s, i < 3 ? heartbeat : busy);
    deps.clock.advance(minutes(20));
    // Act
    const sweep = await cullIdle(deps);
    // Assess
    expect(sweep).toMatchObject({ itemsRead: 3, examined: 3, warned: 3, stopped: 0 });
    expect(deps.notifier.notices.map((n) => n.subject).sort()).toEqual(
      ['lab-0', 'lab-1', 'lab-2'].map((n) => `Server '${n}' will be stopped at ${at(minutes(60))}`),
    );
  });
});

/** Launches n running servers for alice (lab-0 … lab-n−1) at T0. */
const fleet = async (deps: Deps, n: number) => {
  const servers: Running[] = [];
  for (let i = 0; i < n; i += 1) servers.push(await runningServer(deps, people.alice, `lab-${i}`));
  return servers;
};
const reportEach = async (deps: Deps, servers: Running[], r: ActivityReport) => {
  for (const s of servers) await report(deps, s, r);
};

describe('cullIdle, servers that fall silent', () => {
  it('warns a server that stopped reporting, then stops it FAILED when it is still silent at the stop time', async () => {
    // Prepare: the server never reports; silence starts at 30 min.
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    deps.clock.advance(minutes(31));
    // Act
    const warning = await cullIdle(deps);
    const warned = await stored(deps, s.serverId);
    deps.clock.advance(minutes(15) - 1);
    const early = await cullIdle(deps);
    deps.clock.advance(1);
    const stop = await cullIdle(deps);
    // Assess
    expect(warning).toMatchObject({ warned: 1, stopped: 0 });
    expect(warned).toMatchObject({
      status: 'RUNNING',
      cullWarning: { reason: 'no-heartbeat', warnedAt: at(minutes(31)), stopsAt: at(minutes(46)) },
    });
    expect(deps.notifier.notices[0]).toMatchObject({
      user: 'alice',
      subject: `Server 'lab' will be stopped at ${at(minutes(46))}`,
      text: expect.stringContaining('unless it reports in'),
    });
    expect(early).toMatchObject({ warned: 0, stopped: 0 });
    expect(stop).toMatchObject({ warned: 0, stopped: 1 });
    expect(await stored(deps, s.serverId)).toMatchObject({
      status: 'FAILED',
      stoppedBy: 'culler',
      reason: expect.stringContaining('culled: silent'),
    });
    expect(await allCulls(deps)).toEqual([expect.objectContaining({ serverId: s.serverId, reason: 'no-heartbeat' })]);
  });

  it('keeps a server warned for silence that reports again before the stop time, and drops the warning', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    deps.clock.advance(minutes(31));
    await cullIdle(deps);
    deps.clock.advance(minutes(5));
    // Act
    await report(deps, s, busy);
    const afterReport = await stored(deps, s.serverId);
    deps.clock.advance(minutes(10));
    const sweep = await cullIdle(deps);
    // Assess
    expect(afterReport.cullWarning).toBeUndefined();
    expect(sweep).toMatchObject({ warned: 0, stopped: 0 });
    expect((await stored(deps, s.serverId)).status).toBe('RUNNING');
    expect(deps.compute.removed).toEqual([]);
  });

  it('keeps a silent server whose report arrives after the sweep read it', async () => {
    // Prepare: warned for silence at 31 min, the stop sweep at 46 min races a report.
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    deps.clock.advance(minutes(31));
    await cullIdle(deps);
    deps.clock.advance(minutes(15));
    const read = deps.servers.listCullCandidates.bind(deps.servers);
    deps.servers.listCullCandidates = async (due, page) => {
      const candidates = await read(due, page);
      await report(deps, s, heartbeat);
      return candidates;
    };
    // Act
    const sweep = await cullIdle(deps);
    // Assess
    expect(sweep).toMatchObject({ examined: 1, stopped: 0 });
    expect(await stored(deps, s.serverId)).toMatchObject({ status: 'RUNNING', lastReportAt: at(minutes(46)) });
    expect(await allCulls(deps)).toEqual([]);
  });

  it('culls nobody for silence when 80 % of the running servers miss their reports, while idle culls go on', async () => {
    // Prepare: 40 servers; 32 never report; of the 8 that do, 4 are busy and 4 idle.
    const deps = memoryServerDeps({ limitPerUser: 50 });
    const servers = await fleet(deps, 40);
    const [busyOnes, idleOnes, silentOnes] = [servers.slice(32, 36), servers.slice(36), servers.slice(0, 32)];
    deps.clock.advance(minutes(25));
    await reportEach(deps, busyOnes, busy);
    await reportEach(deps, idleOnes, heartbeat);
    deps.clock.advance(minutes(20));
    // Act
    const first = await cullIdle(deps);
    deps.clock.advance(minutes(5));
    await reportEach(deps, busyOnes, busy);
    await reportEach(deps, idleOnes, heartbeat);
    deps.clock.advance(minutes(11));
    const second = await cullIdle(deps);
    // Assess
    expect(first).toMatchObject({
      warned: 4,
      stopped: 0,
      breaker: { running: 40, silent: 32, tripped: true, heldBackWarnings: 32, heldBackStops: 0 },
    });
    expect(second).toMatchObject({ stopped: 4, breaker: { silent: 32, tripped: true } });
    expect((await allCulls(deps)).map((c) => c.reason)).toEqual(['idle', 'idle', 'idle', 'idle']);
    for (const s of silentOnes)
      expect(await stored(deps, s.serverId)).toMatchObject({ status: 'RUNNING', lastActivity: at(0) });
    for (const s of silentOnes) expect((await stored(deps, s.serverId)).cullWarning).toBeUndefined();
    expect(deps.notifier.notices.filter((n) => n.text.includes('silent'))).toEqual([]);
  });

  it('stops no silent server as idle while the breaker holds, when idleness comes due before silence', async () => {
    // Prepare: 10 servers on a profile whose idle timeout (30 min) equals the heartbeat window; none ever reports,
    // so idleness is warned at 16 min, before any server counts as silent.
    const deps = memoryServerDeps({ limitPerUser: 50 });
    const servers: Running[] = [];
    for (let i = 0; i < 10; i += 1) {
      const { server, token } = await launchServer(deps, {
        user: people.alice,
        name: `spot-${i}`,
        profile: 'cpu-large-spot',
      });
      const ref = { serverId: server.id, launchId: server.launchId };
      await createServerResources(deps, ref);
      await markServerRunning(deps, { ...ref, url: `http://${server.id}.orrery.svc:8888/` });
      servers.push({ ...ref, token, name: `spot-${i}` });
    }
    deps.clock.advance(minutes(16));
    const warned = await cullIdle(deps);
    deps.clock.advance(minutes(16));
    // Act
    const due = await cullIdle(deps);
    // Assess
    expect(warned).toMatchObject({ warned: 10, stopped: 0 });
    expect(due).toMatchObject({ stopped: 0, breaker: { running: 10, silent: 10, tripped: true, heldBackStops: 10 } });
    for (const s of servers) expect((await stored(deps, s.serverId)).status).toBe('RUNNING');
    expect(await allCulls(deps)).toEqual([]);
  });

  it('judges servers as usual once the reports come back after the breaker held', async () => {
    // Prepare: 10 servers, all silent from the start; the breaker holds at 31 min; then every server reports.
    const deps = memoryServerDeps({ limitPerUser: 50 });
    const servers = await fleet(deps, 10);
    deps.clock.advance(minutes(31));
    const held = await cullIdle(deps);
    deps.clock.advance(minutes(1));
    await reportEach(deps, servers, busy);
    deps.clock.advance(minutes(2));
    // Act
    const after = await cullIdle(deps);
    // Assess
    expect(held).toMatchObject({
      warned: 0,
      stopped: 0,
      breaker: { running: 10, silent: 10, tripped: true, heldBackWarnings: 10 },
    });
    expect(after).toMatchObject({ examined: 0, warned: 0, stopped: 0 });
    expect(after.breaker).toBeUndefined();
  });

  it('warns then stops FAILED the silent servers when only 5 % miss their reports, as without the breaker', async () => {
    // Prepare: 40 busy servers, 2 of which never report.
    const deps = memoryServerDeps({ limitPerUser: 50 });
    const servers = await fleet(deps, 40);
    const [silentOnes, reporting] = [servers.slice(0, 2), servers.slice(2)];
    deps.clock.advance(minutes(25));
    await reportEach(deps, reporting, busy);
    deps.clock.advance(minutes(20));
    // Act
    const first = await cullIdle(deps);
    deps.clock.advance(minutes(5));
    await reportEach(deps, reporting, busy);
    deps.clock.advance(minutes(11));
    const second = await cullIdle(deps);
    // Assess
    expect(first).toMatchObject({
      warned: 2,
      stopped: 0,
      breaker: { running: 40, silent: 2, tripped: false, heldBackWarnings: 0, heldBackStops: 0 },
    });
    expect(second).toMatchObject({ warned: 0, stopped: 2 });
    for (const s of silentOnes) expect((await stored(deps, s.serverId)).status).toBe('FAILED');
    expect((await allCulls(deps)).map((c) => c.reason)).toEqual(['no-heartbeat', 'no-heartbeat']);
    expect(deps.compute.removed.sort()).toEqual(silentOnes.map((s) => s.serverId).sort());
  });

  it('holds silence culls back for a sweep when the running servers cannot be counted', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const s = await runningServer(deps);
    const count = deps.servers.listActiveServers.bind(deps.servers);
    deps.servers.listActiveServers = async () => {
      throw new Error('throttled');
    };
    deps.clock.advance(minutes(31));
    // Act
    const failed = await cullIdle(deps);
    deps.servers.listActiveServers = count;
    deps.clock.advance(minutes(2));
    const next = await cullIdle(deps);
    // Assess
    expect(failed).toMatchObject({
      warned: 0,
      stopped: 0,
      problems: [expect.stringMatching(/cannot count the running servers.*throttled/)],
    });
    expect(next).toMatchObject({ warned: 1, stopped: 0, problems: [] });
    expect((await stored(deps, s.serverId)).cullWarning).toMatchObject({ reason: 'no-heartbeat' });
  });
});

describe('listCulls', () => {
  const cull = (n: number): CullRecord => ({
    id: `cull-${n}`,
    at: at(minutes(n)),
    serverId: `jupyter-s${n}`,
    owner: 'alice',
    name: `s${n}`,
    profile: 'cpu-small',
    reason: 'idle',
    lastActivity: at(0),
    hourlyPrice: 0.05,
    sparkApplications: [],
  });

  it('refuses anyone but an admin', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await deps.servers.recordCull(cull(1));
    // Act
    const err = await listCulls(deps, { user: people.alice, limit: 10 }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
  });

  it('pages through the log newest first with cursors', async () => {
    // Prepare
    const deps = memoryServerDeps();
    for (const n of [3, 1, 5, 2, 4]) await deps.servers.recordCull(cull(n));
    // Act
    const first = await listCulls(deps, { user: people.root, limit: 2 });
    const second = await listCulls(deps, { user: people.root, limit: 2, cursor: first.nextCursor! });
    const third = await listCulls(deps, { user: people.root, limit: 2, cursor: second.nextCursor! });
    // Assess
    expect([first, second, third].map((p) => p.items.map((c) => c.id))).toEqual([
      ['cull-5', 'cull-4'],
      ['cull-3', 'cull-2'],
      ['cull-1'],
    ]);
    expect(third.nextCursor).toBeNull();
    await expect(
      listCulls(deps, { user: people.root, limit: 2, cursor: `${first.nextCursor}x` }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
