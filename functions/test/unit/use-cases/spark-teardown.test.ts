import { describe, expect, it } from 'vitest';
import { MemoryCredentialLog } from '../../../src/adapters/memory/memory-credential-log.ts';
import { MemoryRunStore } from '../../../src/adapters/memory/memory-run-store.ts';
import { ConflictError, ForbiddenError } from '../../../src/domain/errors.ts';
import { adminUsage } from '../../../src/use-cases/admin-usage.ts';
import { createSparkSession } from '../../../src/use-cases/create-spark-session.ts';
import { cullIdle } from '../../../src/use-cases/cull-idle.ts';
import { endServer } from '../../../src/use-cases/end-server.ts';
import { issueServerCredentials } from '../../../src/use-cases/issue-server-credentials.ts';
import { setServerRole } from '../../../src/use-cases/set-server-role.ts';
import { stopServer } from '../../../src/use-cases/stop-server.ts';
import { stopSparkSession } from '../../../src/use-cases/stop-spark-session.ts';
import { FakeCredentialBroker } from '../../support/fake-credential-broker.ts';
import { serverIdFor } from '../../../src/domain/server.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import { sampleSparkSession } from '../../support/spark-sessions.ts';
import { at, busy, hours, minutes, runningServer, sparkServer } from '../../support/server-scenarios.ts';
import { reportActivity } from '../../../src/use-cases/report-activity.ts';

const culls = async (deps: ReturnType<typeof memoryServerDeps>) => (await deps.servers.listCulls({ limit: 100 })).items;

describe('ending a server ends its Spark sessions', () => {
  it("marks the server's ACTIVE sessions STOPPED (server-ended) with their cost so far, and leaves stopped ones", async () => {
    // Prepare: two sessions of $0.33 an hour at most; one stopped by its owner after an hour.
    const deps = memoryServerDeps();
    await sparkServer(deps);
    const first = await createSparkSession(deps, { user: people.alice, server: 'lab' });
    const second = await createSparkSession(deps, { user: people.alice, server: 'lab' });
    deps.clock.advance(hours(1));
    await stopSparkSession(deps, { user: people.alice, id: second.id });
    deps.clock.advance(hours(2));
    // Act
    await stopServer(deps, { user: people.alice, name: 'lab' });
    // Assess
    expect(await deps.sparkSessions.getSession(first.id)).toMatchObject({
      status: 'STOPPED',
      stopReason: 'server-ended',
      stoppedAt: at(hours(3)),
      costSoFarUsd: 0.99,
    });
    expect(await deps.sparkSessions.getSession(second.id)).toMatchObject({ stopReason: 'owner', costSoFarUsd: 0.33 });
  });

  it('keeps both Spark failures of a teardown, and the server still ends', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { serverId } = await sparkServer(deps);
    deps.compute.stopSparkApplications = async () => {
      throw new Error('Kubernetes API is down');
    };
    deps.sparkSessions.listActiveByServer = async () => {
      throw new Error('DynamoDB is down');
    };
    const server = (await deps.servers.getServer(serverId))!;
    // Act
    const ended = await endServer(deps, server, { by: 'alice', reason: 'stopped', final: 'STOPPED' });
    // Assess
    expect(ended.server.status).toBe('STOPPED');
    expect((ended as { sparkError?: string }).sparkError).toBe(
      `could not stop the Spark applications of ${serverId}: Kubernetes API is down; ` +
        `could not record the end of the Spark sessions of ${serverId}: DynamoDB is down`,
    );
  });

  it('ends every ACTIVE session of a server with more of them than a page holds', async () => {
    // Prepare: 250 active sessions (the teardown reads 100 a page) and a stopped one among them.
    const deps = memoryServerDeps();
    await runningServer(deps);
    for (let i = 0; i < 250; i += 1)
      await deps.sparkSessions.putSession(sampleSparkSession(i, { createdAt: deps.clock.now().toISOString() }));
    await deps.sparkSessions.putSession(
      sampleSparkSession(300, { status: 'STOPPED', stopReason: 'owner', stoppedAt: at(0), costSoFarUsd: 0 }),
    );
    // Act
    await stopServer(deps, { user: people.alice, name: 'lab' });
    // Assess
    const left = await deps.sparkSessions.listActiveByServer(serverIdFor('alice', 'lab'), { limit: 1000 });
    const all = await deps.sparkSessions.listByServer(serverIdFor('alice', 'lab'), { limit: 1000 });
    expect(left.items).toEqual([]);
    expect(all.items.filter((s) => s.stopReason === 'server-ended')).toHaveLength(250);
    expect(all.items.filter((s) => s.stopReason === 'owner')).toHaveLength(1);
  });

  it('records the sessions a cull stopped in its cull record', async () => {
    // Prepare: a server that never reports is culled an hour in (warned first).
    const deps = memoryServerDeps();
    await sparkServer(deps);
    const s = await createSparkSession(deps, { user: people.alice, server: 'lab', appName: 'etl' });
    deps.clock.advance(minutes(45));
    await cullIdle(deps);
    deps.clock.advance(minutes(15));
    // Act
    const sweep = await cullIdle(deps);
    // Assess
    expect(sweep.stopped).toBe(1);
    expect(await culls(deps)).toEqual([
      expect.objectContaining({ name: 'lab', sparkSessions: [{ id: s.id, appName: 'etl', costSoFarUsd: 0.33 }] }),
    ]);
  });
});

describe('the culler and Spark sessions past their maximum age', () => {
  it('stops a session older than the maximum age, logs a spark-max-age cull naming its server, and keeps the server', async () => {
    // Prepare: a server kept busy; its session was started at 0, another an hour before the sweep.
    const deps = memoryServerDeps();
    const { serverId, token } = await sparkServer(deps);
    const old = await createSparkSession(deps, { user: people.alice, server: 'lab', appName: 'old' });
    deps.clock.advance(hours(11));
    const young = await createSparkSession(deps, { user: people.alice, server: 'lab', appName: 'young' });
    deps.clock.advance(hours(1));
    await reportActivity(deps, { name: 'lab', token, report: busy });
    // Act: 12 h after the first session started (the default maximum age).
    const sweep = await cullIdle(deps);
    const second = await cullIdle(deps);
    // Assess
    expect(sweep.sparkStopped).toBe(1);
    expect(second.sparkStopped).toBe(0);
    expect(deps.sparkCompute.stopped).toEqual([{ serverId, sessionId: old.id }]);
    expect(await deps.sparkSessions.getSession(old.id)).toMatchObject({
      status: 'STOPPED',
      stopReason: 'max-age',
      costSoFarUsd: 3.96,
    });
    expect((await deps.sparkSessions.getSession(young.id))?.status).toBe('ACTIVE');
    expect(await culls(deps)).toEqual([
      expect.objectContaining({
        reason: 'spark-max-age',
        serverId,
        name: 'lab',
        owner: 'alice',
        profile: 'pyspark',
        sparkSessions: [{ id: old.id, appName: 'old', costSoFarUsd: 3.96 }],
      }),
    ]);
    expect(deps.notifier.notices.at(-1)).toMatchObject({
      user: 'alice',
      subject: "Spark session old on 'lab' was stopped",
    });
    expect((await deps.servers.getServer(serverId))?.status).toBe('RUNNING');
  });

  it('reports a failing executor stop as a problem and stops the rest', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await sparkServer(deps, people.alice, 'a');
    await sparkServer(deps, people.bob, 'b');
    const a = await createSparkSession(deps, { user: people.alice, server: 'a' });
    const b = await createSparkSession(deps, { user: people.bob, server: 'b' });
    deps.clock.advance(hours(13));
    const stop = deps.sparkCompute.stopSession.bind(deps.sparkCompute);
    deps.sparkCompute.stopSession = async (serverId, sessionId) => {
      if (sessionId === a.id) throw new Error('Kubernetes API is down');
      return stop(serverId, sessionId);
    };
    // Act
    const sweep = await cullIdle(deps);
    deps.sparkCompute.stopSession = stop;
    const retry = await cullIdle(deps);
    // Assess
    expect(sweep.problems).toContainEqual(`Spark session ${a.id}: Kubernetes API is down`);
    expect(sweep.sparkStopped).toBe(1);
    expect(await deps.sparkSessions.getSession(b.id)).toMatchObject({ status: 'STOPPED', stopReason: 'max-age' });
    expect(retry.sparkStopped).toBe(1);
    expect(await deps.sparkSessions.getSession(a.id)).toMatchObject({ status: 'STOPPED', stopReason: 'max-age' });
  });
});

describe('the culler when its bookkeeping fails', () => {
  it('leaves a session ACTIVE when its cull cannot be logged, and finishes it on the next sweep', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { token } = await sparkServer(deps);
    const s = await createSparkSession(deps, { user: people.alice, server: 'lab' });
    deps.clock.advance(hours(12));
    await reportActivity(deps, { name: 'lab', token, report: busy });
    const record = deps.servers.recordCull.bind(deps.servers);
    deps.servers.recordCull = async () => {
      throw new Error('DynamoDB is down');
    };
    // Act
    const first = await cullIdle(deps);
    deps.servers.recordCull = record;
    const second = await cullIdle(deps);
    // Assess
    expect(first.problems).toEqual([`Spark session ${s.id}: DynamoDB is down`]);
    expect(second.sparkStopped).toBe(1);
    expect(await deps.sparkSessions.getSession(s.id)).toMatchObject({ status: 'STOPPED', stopReason: 'max-age' });
    expect(await culls(deps)).toEqual([expect.objectContaining({ reason: 'spark-max-age' })]);
  });

  it('names the session and its cost when the owner cannot be told', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { token } = await sparkServer(deps);
    const s = await createSparkSession(deps, { user: people.alice, server: 'lab' });
    deps.clock.advance(hours(12));
    await reportActivity(deps, { name: 'lab', token, report: busy });
    deps.notifier.notify = async () => {
      throw new Error('SES is down');
    };
    // Act
    const sweep = await cullIdle(deps);
    // Assess
    expect(sweep.problems).toContainEqual(
      `Spark session ${s.id} of alice was stopped (at most $3.96) but its owner was not told: SES is down`,
    );
    expect((await deps.sparkSessions.getSession(s.id))?.status).toBe('STOPPED');
    expect(await culls(deps)).toContainEqual(expect.objectContaining({ reason: 'spark-max-age' }));
  });
});

describe('the culler and Spark sessions whose server ended', () => {
  // A teardown that cannot mark its sessions (the store fails once) leaves them ACTIVE.
  const failMarkingOnce = (deps: ReturnType<typeof memoryServerDeps>) => {
    const list = deps.sparkSessions.listActiveByServer.bind(deps.sparkSessions);
    deps.sparkSessions.listActiveByServer = async () => {
      deps.sparkSessions.listActiveByServer = list;
      throw new Error('DynamoDB is down');
    };
  };

  it('stops a session left ACTIVE by a stopped server, its cost counted up to the stop', async () => {
    // Prepare: a $0.33/h session; its server stops 2 h in without marking it; the sweep comes an hour later.
    const deps = memoryServerDeps();
    const { serverId } = await sparkServer(deps);
    const s = await createSparkSession(deps, { user: people.alice, server: 'lab' });
    deps.clock.advance(hours(2));
    failMarkingOnce(deps);
    await stopServer(deps, { user: people.alice, name: 'lab' });
    deps.clock.advance(hours(1));
    // Act
    const sweep = await cullIdle(deps);
    // Assess
    expect(sweep.sparkStopped).toBe(1);
    expect(await deps.sparkSessions.getSession(s.id)).toMatchObject({
      status: 'STOPPED',
      stopReason: 'server-ended',
      stoppedAt: at(hours(2)),
      costSoFarUsd: 0.66,
    });
    expect(deps.sparkCompute.stopped).toContainEqual({ serverId, sessionId: s.id });
  });

  it('stops a session of an earlier launch once the server runs again, counted up to the relaunch', async () => {
    // Prepare: stopped 1 h in without marking; relaunched an hour later.
    const deps = memoryServerDeps();
    await sparkServer(deps);
    const old = await createSparkSession(deps, { user: people.alice, server: 'lab' });
    deps.clock.advance(hours(1));
    failMarkingOnce(deps);
    await stopServer(deps, { user: people.alice, name: 'lab' });
    deps.clock.advance(hours(1));
    await sparkServer(deps);
    const fresh = await createSparkSession(deps, { user: people.alice, server: 'lab' });
    // Act
    await cullIdle(deps);
    // Assess
    expect(await deps.sparkSessions.getSession(old.id)).toMatchObject({
      status: 'STOPPED',
      stopReason: 'server-ended',
      stoppedAt: at(hours(2)),
      costSoFarUsd: 0.66,
    });
    expect((await deps.sparkSessions.getSession(fresh.id))?.status).toBe('ACTIVE');
  });

  it('stops a session whose server record is gone, counted up to now', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { serverId, launchId } = await sparkServer(deps);
    const s = await createSparkSession(deps, { user: people.alice, server: 'lab' });
    deps.clock.advance(hours(1));
    await deps.servers.deleteServer(serverId, ['RUNNING'], launchId);
    // Act
    await cullIdle(deps);
    // Assess
    expect(await deps.sparkSessions.getSession(s.id)).toMatchObject({
      status: 'STOPPED',
      stopReason: 'server-ended',
      stoppedAt: at(hours(1)),
      costSoFarUsd: 0.33,
    });
  });
});

describe("executors' keys: POST /servers/{name}/credentials with a session", () => {
  const credentialDeps = () => {
    const deps = memoryServerDeps();
    return { ...deps, broker: new FakeCredentialBroker(deps.clock), credentialLog: new MemoryCredentialLog() };
  };

  it("issues keys for the session's role, with purpose spark, to the server's credentials token", async () => {
    // Prepare: the server has no role; the session names one the owner holds.
    const deps = credentialDeps();
    const { serverId } = await sparkServer(deps);
    const s = await createSparkSession(deps, { user: people.alice, server: 'lab', role: 'ads-lake' });
    const token = deps.compute.credentialsTokens.get(serverId)!;
    // Act
    const keys = await issueServerCredentials(deps, { name: 'lab', token, session: s.id });
    // Assess
    expect(keys).toMatchObject({ role: 'ads-lake' });
    expect((await deps.credentialLog.listAll({ limit: 10 })).items).toEqual([
      expect.objectContaining({ purpose: 'spark', role: 'ads-lake', serverId }),
    ]);
  });

  it("refuses a stopped session, another server's and an unknown one with a 403", async () => {
    // Prepare
    const deps = credentialDeps();
    const { serverId } = await sparkServer(deps);
    await sparkServer(deps, people.alice, 'other');
    await setServerRole(deps, { user: people.alice, name: 'other', role: 'ads-lake' });
    const stopped = await createSparkSession(deps, { user: people.alice, server: 'lab', role: 'ads-lake' });
    await stopSparkSession(deps, { user: people.alice, id: stopped.id });
    const foreign = await createSparkSession(deps, { user: people.alice, server: 'other' });
    const token = deps.compute.credentialsTokens.get(serverId)!;
    // Act
    const answers = await Promise.all(
      [stopped.id, foreign.id, 'nothing'].map((session) =>
        issueServerCredentials(deps, { name: 'lab', token, session }).catch((e) => e),
      ),
    );
    // Assess
    for (const a of answers) expect(a).toBeInstanceOf(ForbiddenError);
    expect(deps.broker.requests).toEqual([]);
  });

  it("refuses keys for a session whose role the owner no longer holds by the server's kept teams", async () => {
    // Prepare: alice leaves ads after starting the session; clearing the role keeps her teams now (none).
    const deps = credentialDeps();
    const { serverId } = await sparkServer(deps);
    const s = await createSparkSession(deps, { user: people.alice, server: 'lab', role: 'ads-lake' });
    await setServerRole(deps, { user: { ...people.alice, teams: [] }, name: 'lab', role: null });
    const token = deps.compute.credentialsTokens.get(serverId)!;
    // Act
    const err = await issueServerCredentials(deps, { name: 'lab', token, session: s.id }).catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'role_not_available' });
    expect((err as Error).message).toMatch(/^server 'lab' cannot get keys for role 'ads-lake': you may not assume/);
    expect(deps.broker.requests).toEqual([]);
  });
});

describe('admin usage: Spark cost by team', () => {
  it("sums the last day's sessions and the active ones by team, active cost counted up to now", async () => {
    // Prepare: alice (ads) has an active session 3 h old and one stopped 2 days ago; bob (risk) one stopped today.
    const deps = { ...memoryServerDeps(), runs: new MemoryRunStore() };
    await sparkServer(deps, people.alice, 'lab');
    await sparkServer(deps, people.bob, 'bobs');
    const ancient = await createSparkSession(deps, { user: people.alice, server: 'lab' });
    deps.clock.advance(hours(1));
    await stopSparkSession(deps, { user: people.alice, id: ancient.id });
    deps.clock.advance(hours(47));
    await createSparkSession(deps, { user: people.alice, server: 'lab' });
    const bobs = await createSparkSession(deps, { user: people.bob, server: 'bobs' });
    deps.clock.advance(hours(1));
    await stopSparkSession(deps, { user: people.bob, id: bobs.id });
    deps.clock.advance(hours(2));
    // Act
    const usage = await adminUsage(deps, { user: people.root });
    // Assess
    expect(usage.spark).toEqual({
      since: at(hours(27)),
      active: 1,
      byTeam: [
        { team: 'ads', sessions: 1, active: 1, costSoFarUsd: 0.99, activeMaxHourlyUsd: 0.33 },
        { team: 'risk', sessions: 1, active: 0, costSoFarUsd: 0.33, activeMaxHourlyUsd: 0 },
      ],
    });
  });
});
