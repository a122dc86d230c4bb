import { describe, expect, it } from 'vitest';
import { MemoryCredentialLog } from '../../../src/adapters/memory/memory-credential-log.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../../src/domain/errors.ts';
import { createNotebook } from '../../../src/use-cases/create-notebook.ts';
import { keepServerAlive } from '../../../src/use-cases/keep-server-alive.ts';
import { listNotebooks } from '../../../src/use-cases/list-notebooks.ts';
import { listRoles } from '../../../src/use-cases/list-roles.ts';
import { getServer } from '../../../src/use-cases/server-queries.ts';
import { serverTokenCaller } from '../../../src/use-cases/server-token-caller.ts';
import { setServerRole } from '../../../src/use-cases/set-server-role.ts';
import { stopServer } from '../../../src/use-cases/stop-server.ts';
import { FakeCredentialBroker } from '../../support/fake-credential-broker.ts';
import { memoryDeps, memoryServerDeps, people } from '../../support/fakes.ts';
import { tinyNotebook } from '../../support/notebooks.ts';
import { minutes, runningServer } from '../../support/server-scenarios.ts';

/** Server and Folium deps side by side, as local mode has them (the fake clock is the servers'). */
const labDeps = () => {
  const servers = memoryServerDeps();
  const folium = memoryDeps();
  return {
    ...folium,
    ...servers,
    broker: new FakeCredentialBroker(servers.clock),
    credentialLog: new MemoryCredentialLog(),
  };
};

describe('the caller of a server token', () => {
  it("is the server's owner with the teams recorded at launch, never an admin", async () => {
    // Prepare
    const deps = labDeps();
    const { token } = await runningServer(deps);
    // Act
    const { user, server } = await serverTokenCaller(deps, { name: 'lab', token });
    // Assess
    expect(user).toEqual({ id: 'alice', name: 'alice', teams: ['ads'], admin: false });
    expect(server).toMatchObject({ owner: 'alice', name: 'lab', status: 'RUNNING' });
  });

  it('refuses a token of another server of the same owner (403)', async () => {
    // Prepare
    const deps = labDeps();
    const { token } = await runningServer(deps, people.alice, 'lab');
    await runningServer(deps, people.alice, 'other');
    // Act
    const err = await serverTokenCaller(deps, { name: 'other', token }).catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
  });

  it('refuses the token of an earlier launch of the same name (403)', async () => {
    // Prepare
    const deps = labDeps();
    const first = await runningServer(deps);
    await stopServer(deps, { user: people.alice, name: 'lab' });
    const second = await runningServer(deps);
    // Act
    const old = await serverTokenCaller(deps, { name: 'lab', token: first.token }).catch((e) => e);
    const current = await serverTokenCaller(deps, { name: 'lab', token: second.token });
    // Assess
    expect(old).toBeInstanceOf(ForbiddenError);
    expect(current.server.launchId).toBe(second.launchId);
  });

  it('refuses the token of a stopped server (403)', async () => {
    // Prepare
    const deps = labDeps();
    const { token } = await runningServer(deps);
    await stopServer(deps, { user: people.alice, name: 'lab' });
    // Act
    const err = await serverTokenCaller(deps, { name: 'lab', token }).catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
  });

  it('refuses a token of the right launch with another secret (403), and no token at all (401)', async () => {
    // Prepare
    const deps = labDeps();
    const { token } = await runningServer(deps);
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    // Act
    const wrong = await serverTokenCaller(deps, { name: 'lab', token: forged }).catch((e) => e);
    const credentialsToken = deps.compute.credentialsTokens.get(deps.compute.created[0]!.serverId)!;
    const sidecars = await serverTokenCaller(deps, { name: 'lab', token: credentialsToken }).catch((e) => e);
    const none = await serverTokenCaller(deps, { name: 'lab', token: undefined }).catch((e) => e);
    // Assess
    expect(wrong).toBeInstanceOf(ForbiddenError);
    expect(sidecars).toBeInstanceOf(ForbiddenError);
    expect(none).toBeInstanceOf(UnauthorizedError);
  });
});

describe('the owner’s use cases, called with a server token', () => {
  it('gives an admin owner no admin powers: no other owner’s server, no private notebook of others', async () => {
    // Prepare
    const deps = labDeps();
    await runningServer(deps, people.alice, 'lab');
    const { token } = await runningServer(deps, people.root, 'ops');
    await createNotebook(deps, { user: people.alice, title: 'Secret', content: tinyNotebook() });
    const { user } = await serverTokenCaller(deps, { name: 'ops', token });
    // Act
    const othersServer = await getServer(deps, { user, name: 'lab', owner: 'alice' }).catch((e) => e);
    const stopOthers = await stopServer(deps, { user, name: 'lab', owner: 'alice' }).catch((e) => e);
    const notebooks = await listNotebooks(deps, { user, filter: {}, limit: 50 });
    const asAdmin = await listNotebooks(deps, { user: people.root, filter: { owner: 'alice' }, limit: 50 });
    // Assess
    expect(user.admin).toBe(false);
    expect(othersServer).toBeInstanceOf(NotFoundError);
    expect(stopOthers).toBeInstanceOf(NotFoundError);
    expect(notebooks.items).toEqual([]);
    expect(asAdmin.items.map((n) => n.title)).toEqual(['Secret']);
  });

  it('switches only to a role the recorded teams hold (403 otherwise), and lists only those roles', async () => {
    // Prepare
    const deps = labDeps();
    const { token } = await runningServer(deps);
    const { user } = await serverTokenCaller(deps, { name: 'lab', token });
    // Act
    const notHeld = await setServerRole(deps, { user, name: 'lab', role: 'risk-prod' }).catch((e) => e);
    const held = await setServerRole(deps, { user, name: 'lab', role: 'ads-lake' });
    const roles = listRoles(deps, { user });
    // Assess
    expect(notHeld).toBeInstanceOf(ForbiddenError);
    expect(held.role).toBe('ads-lake');
    expect(roles.items.map((r) => r.name)).toEqual(['ads-lake']);
  });

  it('keeps the server alive, then shuts it down as the owner would: STOPPED by owner, token dead', async () => {
    // Prepare
    const deps = labDeps();
    const { token } = await runningServer(deps);
    deps.clock.advance(minutes(30));
    const { user } = await serverTokenCaller(deps, { name: 'lab', token });
    // Act
    const alive = await keepServerAlive(deps, { user, name: 'lab' });
    const stopped = await stopServer(deps, { user, name: 'lab' });
    const after = await serverTokenCaller(deps, { name: 'lab', token }).catch((e) => e);
    // Assess
    expect(alive.lastActivity).toBe(deps.clock.now().toISOString());
    expect(stopped).toMatchObject({ status: 'STOPPED', reason: 'stopped by owner', stoppedBy: 'owner' });
    expect(after).toBeInstanceOf(ForbiddenError);
  });

  it('creates notebooks as the owner, in the owner’s recorded team', async () => {
    // Prepare
    const deps = labDeps();
    const { token } = await runningServer(deps);
    const { user } = await serverTokenCaller(deps, { name: 'lab', token });
    // Act
    const made = await createNotebook(deps, { user, title: 'From JupyterLab', content: tinyNotebook() });
    // Assess
    expect(made.notebook).toMatchObject({ owner: 'alice', team: 'ads' });
    expect(made.version?.version).toBe(1);
  });
});
