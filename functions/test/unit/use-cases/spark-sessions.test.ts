import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../src/domain/errors.ts';
import { createSparkSession } from '../../../src/use-cases/create-spark-session.ts';
import { getSparkSession } from '../../../src/use-cases/get-spark-session.ts';
import { listSparkSessions } from '../../../src/use-cases/list-spark-sessions.ts';
import { previewSpark } from '../../../src/use-cases/preview-spark.ts';
import { setServerRole } from '../../../src/use-cases/set-server-role.ts';
import { stopSparkSession } from '../../../src/use-cases/stop-spark-session.ts';
import { launchServer } from '../../../src/use-cases/launch-server.ts';
import { serverTokenCaller } from '../../../src/use-cases/server-token-caller.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import { at, hours, minutes, runningServer, sparkServer } from '../../support/server-scenarios.ts';

// Fifty executors (the most) of 12 cores at $0.041 a core-hour: $24.60 an hour, $590.40 a day, past $500.
const BIG = { 'spark.executor.cores': '12', 'spark.executor.instances': '50' };

describe('POST /spark/preview', () => {
  it('derives the conf and cost without starting anything, with no server needed', async () => {
    // Prepare
    const deps = memoryServerDeps();
    // Act
    const preview = await previewSpark(deps, { user: people.alice, conf: { 'spark.executor.cores': '2' } });
    // Assess
    expect(preview).toMatchObject({
      appName: 'orrery-session',
      pool: 'batch',
      executor: { cores: 2, memoryGb: 14 },
      dynamicAllocation: true,
      maxExecutors: 2,
      initialExecutors: 0,
      cost: { hourlyUsd: 0, maxHourlyUsd: 0.16, highCost: false },
    });
    expect(preview.conf['spark.executor.memory']).toBe('14g');
    expect(deps.sparkCompute.started).toEqual([]);
    expect(await deps.sparkSessions.listActive()).toEqual([]);
  });

  it("answers 404 for another user's server and 403 for a role the caller does not hold", async () => {
    // Prepare
    const deps = memoryServerDeps();
    await sparkServer(deps, people.bob, 'bobs');
    // Act
    const foreign = await previewSpark(deps, { user: people.alice, server: 'bobs' }).catch((e) => e);
    const role = await previewSpark(deps, { user: people.alice, role: 'risk-prod' }).catch((e) => e);
    // Assess
    expect(foreign).toBeInstanceOf(NotFoundError);
    expect(role).toBeInstanceOf(ForbiddenError);
  });

  it('refuses an unknown pool with a 400 that lists the known ones', async () => {
    // Prepare
    const deps = memoryServerDeps();
    // Act
    const err = await previewSpark(deps, { user: people.alice, pool: 'gold' }).catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/batch, spot/);
  });
});

describe('POST /spark/sessions', () => {
  it("starts a session on the owner's running server: placement conf, links from the templates, the server's role", async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { serverId } = await sparkServer(deps);
    await setServerRole(deps, { user: people.alice, name: 'lab', role: 'ads-lake' });
    // Act
    const view = await createSparkSession(deps, { user: people.alice, server: 'lab', appName: 'etl' });
    // Assess
    expect(view).toMatchObject({
      id: expect.stringMatching(/^[a-z0-9]{1,20}$/),
      server: 'lab',
      owner: 'alice',
      team: 'ads',
      appName: 'etl',
      role: 'ads-lake',
      status: 'ACTIVE',
      createdAt: at(0),
      links: {
        ui: '/user/alice/lab/proxy/4040/jobs/',
        history: `https://history.example.com/history/spark-${view.id}/jobs/`,
        monitoring: '',
      },
    });
    expect(view.appId).toBe(`spark-${view.id}`);
    expect(view.conf).toMatchObject({
      'spark.app.name': 'etl',
      'spark.master': 'k8s://https://kubernetes.default.svc:443',
      'spark.app.id': view.appId,
    });
    expect(view.podTemplate).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { labels: { 'orrery.dev/session': view.id } },
    });
    expect(view).not.toHaveProperty('serverId');
    expect(deps.sparkCompute.started).toEqual([
      expect.objectContaining({ serverId, sessionId: view.id, role: 'ads-lake', basePath: '/user/alice/lab/' }),
    ]);
    expect(await deps.sparkSessions.getSession(view.id)).toMatchObject({ serverId, status: 'ACTIVE' });
    expect(deps.notifier.notices).toEqual([]);
  });

  it('answers 409 while the server is still launching, and after it stopped, starting nothing', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await launchServer(deps, { user: people.alice, name: 'lab' });
    // Act
    const err = await createSparkSession(deps, { user: people.alice, server: 'lab' }).catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toMatch(/still launching/);
    expect(deps.sparkCompute.started).toEqual([]);
  });

  it("refuses another user's server with a 404, even for an admin, and a role the owner does not hold with a 403", async () => {
    // Prepare
    const deps = memoryServerDeps();
    await sparkServer(deps);
    // Act
    const bob = await createSparkSession(deps, { user: people.bob, server: 'lab' }).catch((e) => e);
    const root = await createSparkSession(deps, { user: people.root, server: 'lab' }).catch((e) => e);
    const role = await createSparkSession(deps, { user: people.alice, server: 'lab', role: 'risk-prod' }).catch(
      (e) => e,
    );
    // Assess
    expect(bob).toBeInstanceOf(NotFoundError);
    expect(root).toBeInstanceOf(NotFoundError);
    expect(role).toBeInstanceOf(ForbiddenError);
    expect(deps.sparkCompute.started).toEqual([]);
  });

  it('refuses a server whose profile does not offer Spark with a 409 naming the Spark profiles, preview too', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await runningServer(deps, people.alice, 'plain');
    // Act
    const err = await createSparkSession(deps, { user: people.alice, server: 'plain' }).catch((e) => e);
    const preview = await previewSpark(deps, { user: people.alice, server: 'plain' }).catch((e) => e);
    // Assess
    for (const e of [err, preview]) {
      expect(e).toBeInstanceOf(ConflictError);
      expect(e).toMatchObject({ code: 'spark_not_enabled' });
      expect((e as Error).message).toBe(
        "server 'plain' runs profile 'cpu-small', which does not offer Spark: launch a server of a Spark profile " +
          '(pyspark) and start Spark there',
      );
    }
    expect(deps.sparkCompute.started).toEqual([]);
  });

  it("refuses a role the owner holds now but not by the server's kept teams with a 403 saying how to refresh them", async () => {
    // Prepare: alice joined risk after the launch.
    const deps = memoryServerDeps();
    await sparkServer(deps);
    const joined = { ...people.alice, teams: ['ads', 'risk'] };
    // Act
    const err = await createSparkSession(deps, { user: joined, server: 'lab', role: 'risk-prod' }).catch((e) => e);
    await setServerRole(deps, { user: joined, name: 'lab', role: 'ads-lake' });
    const after = await createSparkSession(deps, { user: joined, server: 'lab', role: 'risk-prod' });
    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as Error).message).toBe(
      "role 'risk-prod' is not held by the teams kept with server 'lab' (ads), which its executors' keys are judged " +
        "by: set the server's role (PUT /servers/lab/role) to refresh them, or relaunch it",
    );
    expect(after).toMatchObject({ role: 'risk-prod', team: 'risk' });
    expect(deps.sparkCompute.started).toHaveLength(1);
  });

  it('warns about a high-cost session in the answer and tells the owner', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await sparkServer(deps);
    // Act
    const view = await createSparkSession(deps, { user: people.alice, server: 'lab', conf: BIG });
    // Assess
    expect(view.cost).toMatchObject({ maxHourlyUsd: 24.6, dailyMaxUsd: 590.4, highCost: true });
    expect(view.warnings).toContainEqual(expect.stringMatching(/may cost up to \$590\.40 a day/));
    expect(deps.notifier.notices).toEqual([
      expect.objectContaining({
        user: 'alice',
        subject: 'Spark session orrery-session on lab may cost up to $590.40 a day',
      }),
    ]);
  });

  it('undoes the placement when the record cannot be stored', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await sparkServer(deps);
    deps.sparkSessions.putSession = async () => {
      throw new Error('DynamoDB is down');
    };
    // Act
    const err = await createSparkSession(deps, { user: people.alice, server: 'lab' }).catch((e) => e);
    // Assess
    expect((err as Error).message).toBe('DynamoDB is down');
    expect(deps.sparkCompute.stopped).toEqual([
      { serverId: deps.sparkCompute.started[0]!.serverId, sessionId: deps.sparkCompute.started[0]!.sessionId },
    ]);
  });

  it('starts a session for the server its token belongs to, as its owner', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { token } = await sparkServer(deps);
    const caller = await serverTokenCaller(deps, { name: 'lab', token });
    // Act
    const view = await createSparkSession(deps, { user: caller.user, server: caller.server, pool: 'spot' });
    // Assess
    expect(view).toMatchObject({ server: 'lab', owner: 'alice', pool: 'spot' });
  });
});

describe('reading and stopping sessions', () => {
  const twoUsers = async () => {
    const deps = memoryServerDeps();
    await sparkServer(deps, people.alice, 'lab');
    await sparkServer(deps, people.alice, 'other');
    await sparkServer(deps, people.bob, 'bobs');
    const a1 = await createSparkSession(deps, { user: people.alice, server: 'lab', appName: 'a1' });
    deps.clock.advance(minutes(1));
    const a2 = await createSparkSession(deps, { user: people.alice, server: 'other', appName: 'a2' });
    deps.clock.advance(minutes(1));
    const b1 = await createSparkSession(deps, { user: people.bob, server: 'bobs', appName: 'b1' });
    return { deps, a1, a2, b1 };
  };

  it("lists the caller's own sessions newest first, by server, and everyone's only for admins", async () => {
    // Prepare
    const { deps, a1, a2, b1 } = await twoUsers();
    // Act
    const mine = await listSparkSessions(deps, { user: people.alice, limit: 10 });
    const lab = await listSparkSessions(deps, { user: people.alice, server: 'lab', limit: 10 });
    const all = await listSparkSessions(deps, { user: people.root, owner: '*', limit: 10 });
    const bobsForAdmin = await listSparkSessions(deps, { user: people.root, owner: 'bob', limit: 10 });
    const bobsForAlice = await listSparkSessions(deps, { user: people.alice, owner: 'bob', limit: 10 }).catch((e) => e);
    // Assess
    expect(mine.items.map((s) => s.id)).toEqual([a2.id, a1.id]);
    expect(lab.items.map((s) => s.id)).toEqual([a1.id]);
    expect(all.items.map((s) => s.id)).toEqual([b1.id, a2.id, a1.id]);
    expect(bobsForAdmin.items.map((s) => s.id)).toEqual([b1.id]);
    expect(bobsForAlice).toBeInstanceOf(ForbiddenError);
  });

  it('pages with a cursor sealed to its filter, and filters by status', async () => {
    // Prepare
    const { deps, a1, a2 } = await twoUsers();
    await stopSparkSession(deps, { user: people.alice, id: a2.id });
    // Act
    const first = await listSparkSessions(deps, { user: people.alice, limit: 1 });
    const second = await listSparkSessions(deps, { user: people.alice, limit: 1, cursor: first.nextCursor! });
    const active = await listSparkSessions(deps, { user: people.alice, status: 'ACTIVE', limit: 10 });
    const misused = await listSparkSessions(deps, {
      user: people.alice,
      status: 'ACTIVE',
      limit: 1,
      cursor: first.nextCursor!,
    }).catch((e) => e);
    // Assess
    expect([...first.items, ...second.items].map((s) => s.id)).toEqual([a2.id, a1.id]);
    expect(second.nextCursor).toBeNull();
    expect(active.items.map((s) => s.id)).toEqual([a1.id]);
    expect(misused).toBeInstanceOf(ValidationError);
  });

  it("pages one server's sessions with a cursor, and reads its ACTIVE ones from their own key", async () => {
    // Prepare: five sessions of 'lab', the middle one stopped; one of 'other'.
    const deps = memoryServerDeps();
    await sparkServer(deps, people.alice, 'lab');
    await sparkServer(deps, people.alice, 'other');
    const made = [];
    for (let k = 0; k < 5; k += 1) {
      made.push(await createSparkSession(deps, { user: people.alice, server: 'lab' }));
      deps.clock.advance(minutes(1));
    }
    await createSparkSession(deps, { user: people.alice, server: 'other' });
    await stopSparkSession(deps, { user: people.alice, id: made[2]!.id });
    const reads: string[] = [];
    const { sparkSessions: store } = deps;
    const [byServer, activeByServer] = [store.listByServer.bind(store), store.listActiveByServer.bind(store)];
    store.listByServer = (id, page) => {
      reads.push('server');
      return byServer(id, page);
    };
    store.listActiveByServer = (id, page) => {
      reads.push('active');
      return activeByServer(id, page);
    };
    // Act
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await listSparkSessions(deps, { user: people.alice, server: 'lab', limit: 2, cursor });
      pages.push(page.items.map((s) => s.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const pagingReads = reads.splice(0);
    const active = await listSparkSessions(deps, { user: people.alice, server: 'lab', status: 'ACTIVE', limit: 10 });
    const activeReads = reads.splice(0);
    const stopped = await listSparkSessions(deps, { user: people.alice, server: 'lab', status: 'STOPPED', limit: 10 });
    // Assess
    const ids = made.map((s) => s.id).reverse();
    expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    expect(pagingReads).toEqual(['server', 'server', 'server']);
    expect(active.items.map((s) => s.id)).toEqual([ids[0], ids[1], ids[3], ids[4]]);
    expect(activeReads).toEqual(['active']);
    expect(stopped.items.map((s) => s.id)).toEqual([made[2]!.id]);
    expect(reads).toEqual(['server']);
  });

  it('shows a session to its owner and admins, and answers 404 to anyone else', async () => {
    // Prepare
    const { deps, a1 } = await twoUsers();
    // Act
    const owner = await getSparkSession(deps, { user: people.alice, id: a1.id });
    const admin = await getSparkSession(deps, { user: people.root, id: a1.id });
    const other = await getSparkSession(deps, { user: people.bob, id: a1.id }).catch((e) => e);
    // Assess
    expect(owner).toEqual(a1);
    expect(admin).toEqual(a1);
    expect(other).toBeInstanceOf(NotFoundError);
  });

  it('stops the executors, then marks the session STOPPED with its cost so far; a second stop answers the same', async () => {
    // Prepare
    const { deps, a1 } = await twoUsers();
    deps.clock.advance(hours(2));
    // Act
    const stopped = await stopSparkSession(deps, { user: people.alice, id: a1.id });
    deps.clock.advance(hours(1));
    const again = await stopSparkSession(deps, { user: people.alice, id: a1.id });
    // Assess: $0.33 an hour at most, for 2 h 2 min.
    expect(stopped).toMatchObject({ status: 'STOPPED', stopReason: 'owner', costSoFarUsd: 0.67 });
    expect(stopped.stoppedAt).toBe(at(minutes(122)));
    expect(again).toEqual(stopped);
    expect(deps.sparkCompute.stopped.map((s) => s.sessionId)).toEqual([a1.id]);
  });

  it("lets an admin stop anyone's session, and answers 404 to another user and to the twin of another server", async () => {
    // Prepare
    const { deps, a1, b1 } = await twoUsers();
    const labId = (await deps.servers.listServers('alice')).find((s) => s.name === 'other')!.id;
    // Act
    const bob = await stopSparkSession(deps, { user: people.bob, id: a1.id }).catch((e) => e);
    const twin = await stopSparkSession(deps, { user: people.alice, id: a1.id, serverId: labId }).catch((e) => e);
    const admin = await stopSparkSession(deps, { user: people.root, id: b1.id });
    // Assess
    expect(bob).toBeInstanceOf(NotFoundError);
    expect(twin).toBeInstanceOf(NotFoundError);
    expect(admin.status).toBe('STOPPED');
  });
});
