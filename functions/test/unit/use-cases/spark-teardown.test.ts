import { describe, expect, it } from 'vitest';
import { MemoryCredentialLog } from '../../../src/adapters/memory/memory-credential-log.ts';
import { MemoryRunStore } from '../../../src/adapters/memory/memory-run-store.ts';
import { ForbiddenError } from '../../../src/domain/errors.ts';
import { adminUsage } from '../../../src/use-cases/admin-usage.ts';
import { createSparkSession } from '../../../src/use-cases/create-spark-session.ts';
import { cullIdle } from '../../../src/use-cases/cull-idle.ts';
import { issueServerCredentials } from '../../../src/use-cases/issue-server-credentials.ts';
import { setServerRole } from '../../../src/use-cases/set-server-role.ts';
import { stopServer } from '../../../src/use-cases/stop-server.ts';
import { stopSparkSession } from '../../../src/use-cases/stop-spark-session.ts';
import { FakeCredentialBroker } from '../../support/fake-credential-broker.ts';
import { serverIdFor } from '../../../src/domain/server.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import { sampleSparkSession } from '../../support/spark-sessions.ts';
import { at, busy, hours, minutes, runningServer } from '../../support/server-scenarios.ts';
import { reportActivity } from '../../../src/use-cases/report-activity.ts';

const culls = async (deps: ReturnType<typeof memoryServerDeps>) => (await deps.servers.listCulls({ limit: 100 })).items;

describe('ending a server ends its Spark sessions', () => {
  it("marks the server's ACTIVE sessions STOPPED (server-ended) with their cost so far, and leaves stopped ones", async () => {
    // Prepare: two sessions of $0.33 an hour at most; one stopped by its owner after an hour.
    const deps = memoryServerDeps();
    await runningServer(deps);
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
    await runningServer(deps);
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
    const { serverId, token } = await runningServer(deps);
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
        profile: 'cpu-small',
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
    await runningServer(deps, people.alice, 'a');
    await runningServer(deps, people.bob, 'b');
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
    // Assess
    expect(sweep.problems).toContainEqual(expect.stringMatching(/Kubernetes API is down/));
    expect((await deps.sparkSessions.getSession(a.id))?.status).toBe('ACTIVE');
    expect((await deps.sparkSessions.getSession(b.id))?.status).toBe('STOPPED');
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
    const { serverId } = await runningServer(deps);
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
    const { serverId } = await runningServer(deps);
    await runningServer(deps, people.alice, 'other');
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
});

describe('admin usage: Spark cost by team', () => {
  it("sums the last day's sessions and the active ones by team, active cost counted up to now", async () => {
    // Prepare: alice (ads) has an active session 3 h old and one stopped 2 days ago; bob (risk) one stopped today.
    const deps = { ...memoryServerDeps(), runs: new MemoryRunStore() };
    await runningServer(deps, people.alice, 'lab');
    await runningServer(deps, people.bob, 'bobs');
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
