import { describe, expect, it } from 'vitest';
import { MemoryCredentialLog } from '../../../src/adapters/memory/memory-credential-log.ts';
import { HmacCursorCodec } from '../../../src/adapters/system/hmac-cursor-codec.ts';
import type { CredentialIssue } from '../../../src/domain/credentials.ts';
import { ForbiddenError, UpstreamError, ValidationError } from '../../../src/domain/errors.ts';
import type { Role } from '../../../src/domain/role.ts';
import { getMe } from '../../../src/use-cases/get-me.ts';
import { issueCredentials, issueRoleSession } from '../../../src/use-cases/issue-credentials.ts';
import { listAllCredentialLog, listOwnCredentialLog } from '../../../src/use-cases/list-credential-log.ts';
import { listRoles } from '../../../src/use-cases/list-roles.ts';
import { FakeCredentialBroker } from '../../support/fake-credential-broker.ts';
import { FakeClock, people, SequentialIds, testRole } from '../../support/fakes.ts';

const role = (name: string, over: Partial<Role> = {}): Role =>
  testRole(name, { description: `the ${name} role`, ...over });

const ROLES = [
  role('ads-analyst', { teams: ['ads'], maxSessionSeconds: 7200 }),
  role('risk-prod', { teams: ['risk'], environment: 'prod', account: 'risk-prod', maxSessionSeconds: 1800 }),
  role('sandbox', { teams: ['*'] }),
];

const credentialDeps = () => {
  const clock = new FakeClock();
  return {
    roles: ROLES,
    broker: new FakeCredentialBroker(clock),
    credentialLog: new MemoryCredentialLog(),
    clock,
    ids: new SequentialIds(),
    cursors: new HmacCursorCodec('test-secret-test-secret'),
  };
};

// Every string value of a record, nested or not: where key material would hide.
const stringsOf = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : value && typeof value === 'object'
      ? Object.values(value).flatMap(stringsOf)
      : [];

describe('listRoles', () => {
  it("lists the caller's roles only, without who else holds them, and /me names the same roles", () => {
    // Prepare
    const deps = { ...credentialDeps(), profiles: [] };
    // Act
    const alice = listRoles(deps, { user: people.alice });
    const loner = listRoles(deps, { user: people.loner });
    const me = getMe(deps, { user: people.alice });
    // Assess
    expect(alice.items).toEqual([
      {
        name: 'ads-analyst',
        roleArn: 'arn:aws:iam::123456789012:role/ads-analyst',
        account: 'ads-dev',
        environment: 'dev',
        maxSessionSeconds: 7200,
        description: 'the ads-analyst role',
      },
      expect.objectContaining({ name: 'sandbox' }),
    ]);
    expect(loner.items.map((r) => r.name)).toEqual(['sandbox']);
    expect(me.entitlements.roles).toEqual(['ads-analyst', 'sandbox']);
  });
});

describe('issueCredentials', () => {
  it('assumes the role for the user: session name, source identity, tags and the default duration', async () => {
    // Prepare
    const deps = credentialDeps();
    // Act
    const issued = await issueCredentials(deps, { user: people.alice, role: 'ads-analyst' });
    // Assess
    expect(deps.broker.requests).toEqual([
      {
        roleArn: 'arn:aws:iam::123456789012:role/ads-analyst',
        sessionName: 'orrery-alice',
        sourceIdentity: 'alice',
        tags: { 'orrery:user': 'alice', 'orrery:team': 'ads', 'orrery:purpose': 'interactive' },
        durationSeconds: 3600,
      },
    ]);
    expect(issued).toEqual({
      accessKeyId: 'ASIAFAKE000000000001',
      secretAccessKey: expect.stringMatching(/^fake-secret-1/),
      sessionToken: expect.stringMatching(/^fake-session-token-1/),
      expiration: '2026-01-05T10:00:00.000Z',
      role: 'ads-analyst',
      account: 'ads-dev',
      sourceIdentity: 'alice',
    });
  });

  it('records the issue with who, which role, why and until when, and no key material', async () => {
    // Prepare
    const deps = credentialDeps();
    // Act
    const issued = await issueCredentials(deps, { user: people.bob, role: 'risk-prod', durationSeconds: 900 });
    const { items } = await deps.credentialLog.listAll({ limit: 10 });
    // Assess
    expect(items).toEqual<CredentialIssue[]>([
      {
        id: 'cred-0000000000000001',
        issuedAt: '2026-01-05T09:00:00.000Z',
        user: 'bob',
        team: 'risk',
        role: 'risk-prod',
        roleArn: 'arn:aws:iam::123456789012:role/risk-prod',
        account: 'risk-prod',
        purpose: 'interactive',
        serverId: null,
        runId: null,
        sourceIdentity: 'bob',
        expiration: '2026-01-05T09:15:00.000Z',
        durationSeconds: 900,
      },
    ]);
    const recorded = stringsOf(items);
    for (const secret of [issued.accessKeyId, issued.secretAccessKey, issued.sessionToken]) {
      expect(recorded).not.toContain(secret);
    }
  });

  it('refuses a role the caller does not hold and one that does not exist alike, before asking the broker', async () => {
    // Prepare
    const deps = credentialDeps();
    // Act
    const notHeld = await issueCredentials(deps, { user: people.bob, role: 'ads-analyst' }).catch((e: Error) => e);
    const unknown = await issueCredentials(deps, { user: people.bob, role: 'nope' }).catch((e: Error) => e);
    // Assess
    expect(notHeld).toBeInstanceOf(ForbiddenError);
    expect(unknown).toBeInstanceOf(ForbiddenError);
    expect((unknown as Error).message.replace("'nope'", "'ads-analyst'")).toBe((notHeld as Error).message);
    expect(deps.broker.requests).toEqual([]);
    expect((await deps.credentialLog.listAll({ limit: 10 })).items).toEqual([]);
  });

  it.each([
    [899, 'from 900 to 7200'],
    [7201, 'from 900 to 7200'],
  ])('refuses %i seconds for a role whose maximum is 7200, naming the bounds', async (durationSeconds, bounds) => {
    // Prepare
    const deps = credentialDeps();
    // Act
    const err = await issueCredentials(deps, { user: people.alice, role: 'ads-analyst', durationSeconds }).catch(
      (e: Error) => e,
    );
    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain(bounds);
    expect(deps.broker.requests).toEqual([]);
  });

  it('caps the default duration at the role maximum', async () => {
    // Prepare
    const deps = credentialDeps();
    // Act
    await issueCredentials(deps, { user: people.bob, role: 'risk-prod' });
    // Assess
    expect(deps.broker.requests[0]!.durationSeconds).toBe(1800);
  });

  it('hands out no keys when the issue cannot be recorded', async () => {
    // Prepare
    const deps = credentialDeps();
    deps.credentialLog.record = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    // Act
    const err = await issueCredentials(deps, { user: people.alice, role: 'sandbox' }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toMatch(/could not be recorded in the audit log, so they were not handed out/);
    expect(deps.broker.requests).toHaveLength(1);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toMatch(/ASIAFAKE|fake-secret|fake-session/);
  });

  it('records nothing when the broker fails, and passes its error on', async () => {
    // Prepare
    const deps = credentialDeps();
    deps.broker.fail = new UpstreamError('no AWS credentials for the credential broker: set AWS_PROFILE');
    // Act
    const err = await issueCredentials(deps, { user: people.alice, role: 'sandbox' }).catch((e: unknown) => e);
    // Assess
    expect(err).toBe(deps.broker.fail);
    expect((await deps.credentialLog.listAll({ limit: 10 })).items).toEqual([]);
  });

  it('records the server or run a session is for, with its purpose, and tags it', async () => {
    // Prepare
    const deps = credentialDeps();
    const sandbox = ROLES[2]!;
    // Act
    await issueRoleSession(deps, {
      user: people.loner,
      role: sandbox,
      purpose: 'server',
      durationSeconds: 3600,
      serverId: 'srv-1',
    });
    const { items } = await deps.credentialLog.listForUser('loner', { limit: 10 });
    // Assess
    expect(deps.broker.requests[0]!.tags).toEqual({
      'orrery:user': 'loner',
      'orrery:purpose': 'server',
      'orrery:server': 'srv-1',
    });
    expect(items[0]).toMatchObject({ purpose: 'server', serverId: 'srv-1', runId: null, team: null });
  });
});

describe('the credential log', () => {
  const issueMany = async (deps: ReturnType<typeof credentialDeps>) => {
    for (const user of [people.alice, people.bob, people.alice, people.amir, people.alice]) {
      await issueCredentials(deps, { user, role: 'sandbox' });
      deps.clock.advance(60_000);
    }
  };

  it('shows a user their own issues only, newest first, paged with a cursor sealed to them', async () => {
    // Prepare
    const deps = credentialDeps();
    await issueMany(deps);
    // Act
    const first = await listOwnCredentialLog(deps, { user: people.alice, limit: 2 });
    const second = await listOwnCredentialLog(deps, { user: people.alice, limit: 2, cursor: first.nextCursor! });
    const borrowed = await listOwnCredentialLog(deps, {
      user: people.bob,
      limit: 2,
      cursor: first.nextCursor!,
    }).catch((e: unknown) => e);
    // Assess
    expect([...first.items, ...second.items].map((i) => i.id)).toEqual([
      'cred-0000000000000005',
      'cred-0000000000000003',
      'cred-0000000000000001',
    ]);
    expect(second.nextCursor).toBeNull();
    expect(borrowed).toBeInstanceOf(ValidationError);
  });

  it('shows admins every issue and refuses everyone else', async () => {
    // Prepare
    const deps = credentialDeps();
    await issueMany(deps);
    // Act
    const all = await listAllCredentialLog(deps, { user: people.root, limit: 50 });
    const refused = await listAllCredentialLog(deps, { user: people.alice, limit: 50 }).catch((e: unknown) => e);
    // Assess
    expect(all.items.map((i) => i.user)).toEqual(['alice', 'amir', 'alice', 'bob', 'alice']);
    expect(all.nextCursor).toBeNull();
    expect(refused).toBeInstanceOf(ForbiddenError);
  });
});
