import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryCredentialLog } from '../../../src/adapters/memory/memory-credential-log.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from '../../../src/domain/errors.ts';
import { parseServerCredentialsToken } from '../../../src/domain/server.ts';
import { issueServerCredentials } from '../../../src/use-cases/issue-server-credentials.ts';
import { launchServer } from '../../../src/use-cases/launch-server.ts';
import { setServerRole } from '../../../src/use-cases/set-server-role.ts';
import { stopServer } from '../../../src/use-cases/stop-server.ts';
import { FakeCredentialBroker } from '../../support/fake-credential-broker.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import { runningServer } from '../../support/server-scenarios.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Server deps with a broker and an audit log beside them, as the credentials function has them. */
const credentialDeps = () => {
  const deps = memoryServerDeps();
  return { ...deps, broker: new FakeCredentialBroker(deps.clock), credentialLog: new MemoryCredentialLog() };
};

describe('launching a server with a role', () => {
  it('records the role and the owner’s teams, and hands compute a credentials token kept only as its hash', async () => {
    // Prepare
    const deps = credentialDeps();
    // Act
    const { server, token } = await launchServer(deps, { user: people.alice, name: 'lab', role: 'ads-lake' });
    // Assess
    const credentialsToken = deps.compute.credentialsTokens.get(server.id)!;
    expect(server).toMatchObject({ role: 'ads-lake', ownerTeams: ['ads'] });
    expect(parseServerCredentialsToken(credentialsToken)).toEqual({ serverId: server.id, launchId: server.launchId });
    expect(credentialsToken).not.toBe(token);
    expect(server.credentialsTokenHash).toBe(sha256(credentialsToken));
    expect(JSON.stringify(await deps.servers.getServer(server.id))).not.toContain(credentialsToken);
  });

  it('refuses a role the user does not hold with the same 403 as an unknown role, and launches nothing', async () => {
    // Prepare
    const deps = credentialDeps();
    // Act
    const notHeld = await launchServer(deps, { user: people.alice, name: 'lab', role: 'risk-prod' }).catch((e) => e);
    const unknown = await launchServer(deps, { user: people.alice, name: 'lab', role: 'nope' }).catch((e) => e);
    // Assess
    expect(notHeld).toBeInstanceOf(ForbiddenError);
    expect(unknown).toBeInstanceOf(ForbiddenError);
    expect((unknown as Error).message).toBe((notHeld as Error).message.replace('risk-prod', 'nope'));
    expect(await deps.servers.listServers('alice')).toEqual([]);
    expect(deps.workflows.launched).toEqual([]);
  });

  it('launches without a role: no role is recorded, the owner’s teams are, and the view says null', async () => {
    // Prepare
    const deps = credentialDeps();
    // Act
    const { server } = await launchServer(deps, { user: people.alice, name: 'lab' });
    // Assess
    expect(server.role).toBeUndefined();
    expect(server.ownerTeams).toEqual(['ads']);
    expect(server.credentialsTokenHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('POST /servers/{name}/credentials', () => {
  it('issues keys for the server’s role to its owner, tagged with the server, and records the issue first', async () => {
    // Prepare
    const deps = credentialDeps();
    const { serverId } = await runningServer(deps);
    await setServerRole(deps, { user: people.alice, name: 'lab', role: 'ads-lake' });
    const token = deps.compute.credentialsTokens.get(serverId)!;
    // Act
    const keys = await issueServerCredentials(deps, { name: 'lab', token });
    // Assess
    expect(keys).toMatchObject({ role: 'ads-lake', account: 'ads-dev', sourceIdentity: 'alice' });
    expect(deps.broker.requests).toEqual([
      {
        roleArn: 'arn:aws:iam::123456789012:role/ads-lake',
        sessionName: 'orrery-alice',
        sourceIdentity: 'alice',
        tags: { 'orrery:user': 'alice', 'orrery:team': 'ads', 'orrery:purpose': 'server', 'orrery:server': serverId },
        durationSeconds: 3600,
      },
    ]);
    const { items } = await deps.credentialLog.listForUser('alice', { limit: 10 });
    expect(items).toMatchObject([{ purpose: 'server', serverId, runId: null, role: 'ads-lake', user: 'alice' }]);
  });

  it('refuses the server token itself: only the sidecar’s credentials token fetches keys', async () => {
    // Prepare
    const deps = credentialDeps();
    const { token } = await runningServer(deps);
    await setServerRole(deps, { user: people.alice, name: 'lab', role: 'ads-lake' });
    // Act
    const err = await issueServerCredentials(deps, { name: 'lab', token }).catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(deps.broker.requests).toEqual([]);
  });

  it('answers 403 for a dead token: the server stopped, was relaunched, or the token names another server', async () => {
    // Prepare
    const deps = credentialDeps();
    const { serverId } = await runningServer(deps);
    await setServerRole(deps, { user: people.alice, name: 'lab', role: 'ads-lake' });
    const first = deps.compute.credentialsTokens.get(serverId)!;
    // Act
    const otherName = await issueServerCredentials(deps, { name: 'other', token: first }).catch((e) => e);
    const forged = await issueServerCredentials(deps, { name: 'lab', token: `${first.slice(0, -4)}AAAA` }).catch(
      (e) => e,
    );
    await stopServer(deps, { user: people.alice, name: 'lab' });
    const stopped = await issueServerCredentials(deps, { name: 'lab', token: first }).catch((e) => e);
    await runningServer(deps);
    const relaunched = await issueServerCredentials(deps, { name: 'lab', token: first }).catch((e) => e);
    // Assess
    for (const err of [otherName, forged, stopped, relaunched]) expect(err).toBeInstanceOf(ForbiddenError);
    expect(deps.broker.requests).toEqual([]);
  });

  it('answers 401 without a token and 403 for one that is not a credentials token', async () => {
    // Prepare
    const deps = credentialDeps();
    // Act
    const missing = await issueServerCredentials(deps, { name: 'lab', token: undefined }).catch((e) => e);
    const garbage = await issueServerCredentials(deps, { name: 'lab', token: 'osc1.nope' }).catch((e) => e);
    // Assess
    expect(missing).toBeInstanceOf(UnauthorizedError);
    expect(garbage).toBeInstanceOf(ForbiddenError);
  });

  it('answers 409 naming PUT role for a server without a role, never 401, 403 or 404', async () => {
    // Prepare
    const deps = credentialDeps();
    const { serverId } = await runningServer(deps);
    const token = deps.compute.credentialsTokens.get(serverId)!;
    // Act
    const err = await issueServerCredentials(deps, { name: 'lab', token }).catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toMatch(/no AWS role.*PUT \/servers\/lab\/role/);
  });

  it('answers 409 when the role is no longer the owner’s or the broker is refused, so the sidecar keeps asking', async () => {
    // Prepare
    const deps = credentialDeps();
    const { serverId } = await runningServer(deps);
    await setServerRole(deps, { user: people.alice, name: 'lab', role: 'ads-lake' });
    const token = deps.compute.credentialsTokens.get(serverId)!;
    await deps.servers.moveServer(serverId, ['RUNNING'], { ownerTeams: ['risk'], updatedAt: 'x' });
    // Act
    const revoked = await issueServerCredentials(deps, { name: 'lab', token }).catch((e) => e);
    await deps.servers.moveServer(serverId, ['RUNNING'], { ownerTeams: ['ads'], updatedAt: 'x' });
    deps.broker.fail = new ForbiddenError('the trust policy of arn:… does not let Orrery in');
    const refused = await issueServerCredentials(deps, { name: 'lab', token }).catch((e) => e);
    // Assess
    expect(revoked).toBeInstanceOf(ConflictError);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toMatch(/trust policy/);
  });
});

describe('PUT /servers/{name}/role', () => {
  it('switches a running server’s role without a relaunch; the next issue is for the new role', async () => {
    // Prepare
    const deps = credentialDeps();
    const { serverId, launchId } = await runningServer(deps, people.bob);
    const token = deps.compute.credentialsTokens.get(serverId)!;
    // Act
    const view = await setServerRole(deps, { user: people.bob, name: 'lab', role: 'risk-prod' });
    const keys = await issueServerCredentials(deps, { name: 'lab', token });
    // Assess
    expect(view).toMatchObject({ role: 'risk-prod', status: 'RUNNING' });
    expect(keys.role).toBe('risk-prod');
    expect(deps.broker.requests[0]).toMatchObject({ durationSeconds: 1800 });
    expect((await deps.servers.getServer(serverId))!.launchId).toBe(launchId);
  });

  it('clears the role with null, keeping the owner’s teams: the sidecar’s next fetch is a 409', async () => {
    // Prepare
    const deps = credentialDeps();
    const { serverId } = await runningServer(deps);
    await setServerRole(deps, { user: people.alice, name: 'lab', role: 'ads-lake' });
    const token = deps.compute.credentialsTokens.get(serverId)!;
    // Act
    const view = await setServerRole(deps, { user: people.alice, name: 'lab', role: null });
    const err = await issueServerCredentials(deps, { name: 'lab', token }).catch((e) => e);
    // Assess
    expect(view.role).toBeNull();
    expect(await deps.servers.getServer(serverId)).toMatchObject({ ownerTeams: ['ads'] });
    expect(await deps.servers.getServer(serverId)).not.toHaveProperty('role');
    expect(err).toBeInstanceOf(ConflictError);
  });

  it('refuses a role the owner does not hold (403), a stopped server (409) and anyone else’s server (404)', async () => {
    // Prepare
    const deps = credentialDeps();
    await runningServer(deps);
    // Act
    const notHeld = await setServerRole(deps, { user: people.alice, name: 'lab', role: 'risk-prod' }).catch((e) => e);
    const admin = await setServerRole(deps, { user: people.root, name: 'lab', role: null }).catch((e) => e);
    await stopServer(deps, { user: people.alice, name: 'lab' });
    const stopped = await setServerRole(deps, { user: people.alice, name: 'lab', role: 'ads-lake' }).catch((e) => e);
    // Assess
    expect(notHeld).toBeInstanceOf(ForbiddenError);
    expect(admin).toBeInstanceOf(NotFoundError);
    expect(stopped).toBeInstanceOf(ConflictError);
  });
});
