import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStsBroker, setAwsEnvironment } from '../support/aws-environment.ts';
import { FAKE_STS_CALLER, type FakeSts, startFakeSts } from '../support/fake-sts.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

// The roles of these tests: people.alice and amir are in `ads`, bob in `risk`, root is an admin of no team.
const ROLES = [
  {
    name: 'ads-analyst',
    roleArn: 'arn:aws:iam::123456789012:role/orrery/ads-analyst',
    account: 'ads-dev',
    environment: 'dev',
    maxSessionSeconds: 7200,
    teams: ['ads'],
    description: 'the ads lake',
  },
  {
    name: 'risk-prod',
    roleArn: 'arn:aws:iam::210987654321:role/risk-prod',
    account: 'risk-prod',
    environment: 'prod',
    maxSessionSeconds: 1800,
    teams: ['risk'],
    users: ['alice'],
  },
  {
    name: 'locked',
    roleArn: 'arn:aws:iam::123456789012:role/locked',
    account: 'ads-dev',
    environment: 'dev',
    maxSessionSeconds: 3600,
    teams: ['*'],
  },
];

describe('credentials over HTTP, with the real STS adapter against a test-owned STS endpoint', () => {
  let t: TestPlatform;
  let sts: FakeSts;
  let restoreAwsEnvironment: () => void;

  beforeAll(async () => {
    sts = await startFakeSts();
    restoreAwsEnvironment = setAwsEnvironment(fakeStsBroker(sts));
    sts.state.maxSessionSeconds.set(ROLES[0]!.roleArn, 3600);
    sts.state.deny.add(ROLES[2]!.roleArn);
    t = await startTestPlatform(undefined, { ORRERY_ROLES: JSON.stringify(ROLES) });
  });
  afterAll(async () => {
    await t?.close();
    await sts?.close();
    restoreAwsEnvironment?.();
  });

  it("lists each caller's roles only, and /me names them", async () => {
    // Act
    const alice = await t.api('GET', '/credentials/roles', t.tokens.alice);
    const bob = await t.api('GET', '/credentials/roles', t.tokens.bob);
    const me = await t.api('GET', '/me', t.tokens.bob);
    // Assess
    expect(alice.status).toBe(200);
    expect(alice.body.items.map((r: { name: string }) => r.name)).toEqual(['ads-analyst', 'risk-prod', 'locked']);
    expect(alice.body.items[0]).toEqual({
      name: 'ads-analyst',
      roleArn: 'arn:aws:iam::123456789012:role/orrery/ads-analyst',
      account: 'ads-dev',
      environment: 'dev',
      maxSessionSeconds: 7200,
      description: 'the ads lake',
    });
    expect(bob.body.items.map((r: { name: string }) => r.name)).toEqual(['risk-prod', 'locked']);
    expect(me.body.entitlements.roles).toEqual(['risk-prod', 'locked']);
  });

  it('issues keys from STS for a role held, with the user as source identity and tagged sessions', async () => {
    // Prepare
    sts.requests.length = 0;
    // Act
    const issued = await t.api('POST', '/credentials', t.tokens.alice, { role: 'ads-analyst', durationSeconds: 1200 });
    // Assess
    expect(issued.status).toBe(200);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const [request] = sts.requests;
    expect(request).toMatchObject({
      action: 'AssumeRole',
      roleArn: 'arn:aws:iam::123456789012:role/orrery/ads-analyst',
      roleSessionName: 'orrery-alice',
      sourceIdentity: 'alice',
      durationSeconds: 1200,
      tags: { 'orrery:user': 'alice', 'orrery:team': 'ads', 'orrery:purpose': 'interactive' },
      accessKeyId: FAKE_STS_CALLER.accessKeyId,
    });
    expect(issued.body).toEqual({
      accessKeyId: request!.issued!.accessKeyId,
      secretAccessKey: request!.issued!.secretAccessKey,
      sessionToken: request!.issued!.sessionToken,
      expiration: new Date(request!.issued!.expiration).toISOString(),
      role: 'ads-analyst',
      account: 'ads-dev',
      sourceIdentity: 'alice',
    });
  });

  it('refuses a role not held and one that does not exist with the same 403, without calling STS', async () => {
    // Prepare
    sts.requests.length = 0;
    // Act
    const notHeld = await t.api('POST', '/credentials', t.tokens.bob, { role: 'ads-analyst' });
    const unknown = await t.api('POST', '/credentials', t.tokens.bob, { role: 'no-such-role' });
    // Assess
    expect(notHeld.status).toBe(403);
    expect(unknown.status).toBe(403);
    expect(unknown.body.message.replace('no-such-role', 'ads-analyst')).toBe(notHeld.body.message);
    expect(sts.requests).toEqual([]);
  });

  it("answers 400 for a duration outside the role's bounds, and for one the role's own maximum refuses", async () => {
    // Act
    const tooShort = await t.api('POST', '/credentials', t.tokens.bob, { role: 'risk-prod', durationSeconds: 600 });
    const tooLong = await t.api('POST', '/credentials', t.tokens.bob, { role: 'risk-prod', durationSeconds: 1801 });
    const overIam = await t.api('POST', '/credentials', t.tokens.alice, { role: 'ads-analyst', durationSeconds: 7200 });
    // Assess
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.message).toBe("durationSeconds must be a whole number from 900 to 1800 for role 'risk-prod'");
    expect(tooLong.status).toBe(400);
    expect(overIam.status).toBe(400);
    expect(overIam.body.message).toMatch(/DurationSeconds|MaxSessionDuration/);
  });

  it('answers 403 naming the role when its trust policy does not let Orrery in, and records nothing', async () => {
    // Prepare
    const before = (await t.api('GET', '/credentials/log', t.tokens.amir)).body.items.length;
    // Act
    const refused = await t.api('POST', '/credentials', t.tokens.amir, { role: 'locked' });
    const after = (await t.api('GET', '/credentials/log', t.tokens.amir)).body.items.length;
    // Assess
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('arn:aws:iam::123456789012:role/locked');
    expect(refused.body.message).toContain('npm run trust-policy');
    expect(after).toBe(before);
  });

  it('logs every issue without keys: users read their own, admins everyone’s, others are refused', async () => {
    // Prepare
    const bobs = await t.api('POST', '/credentials', t.tokens.bob, { role: 'risk-prod' });
    const alices = await t.api('POST', '/credentials', t.tokens.alice, { role: 'risk-prod', durationSeconds: 900 });
    // Act
    const own = await t.api('GET', '/credentials/log?limit=1', t.tokens.alice);
    const next = await t.api('GET', `/credentials/log?limit=1&cursor=${own.body.nextCursor}`, t.tokens.alice);
    const all = await t.api('GET', '/admin/credentials', t.tokens.root);
    const refused = await t.api('GET', '/admin/credentials', t.tokens.alice);
    // Assess
    expect(own.body.items).toEqual([
      {
        id: expect.stringMatching(/^cred-/),
        issuedAt: expect.any(String),
        user: 'alice',
        team: 'ads',
        role: 'risk-prod',
        roleArn: 'arn:aws:iam::210987654321:role/risk-prod',
        account: 'risk-prod',
        purpose: 'interactive',
        serverId: null,
        runId: null,
        sourceIdentity: 'alice',
        expiration: alices.body.expiration,
        durationSeconds: 900,
      },
    ]);
    expect(next.body.items.map((i: { role: string }) => i.role)).toEqual(['ads-analyst']);
    expect(all.status).toBe(200);
    expect(all.body.items.slice(0, 2).map((i: { user: string }) => i.user)).toEqual(['alice', 'bob']);
    expect(refused.status).toBe(403);
    const logs = JSON.stringify([own.body, next.body, all.body]);
    for (const keys of [bobs.body, alices.body]) {
      expect(logs).not.toContain(keys.secretAccessKey);
      expect(logs).not.toContain(keys.sessionToken);
      expect(logs).not.toContain(keys.accessKeyId);
    }
  });
});

describe('credentials over HTTP on a machine without AWS credentials', () => {
  let t: TestPlatform;
  let restoreAwsEnvironment: () => void;

  beforeAll(async () => {
    restoreAwsEnvironment = setAwsEnvironment({});
    t = await startTestPlatform(undefined, { ORRERY_ROLES: JSON.stringify(ROLES) });
  });
  afterAll(async () => {
    await t?.close();
    restoreAwsEnvironment?.();
  });

  it('starts, lists roles, and answers an issue 503 saying what to set, recording nothing', async () => {
    // Act
    const health = await t.api('GET', '/healthz');
    const roles = await t.api('GET', '/credentials/roles', t.tokens.alice);
    const issued = await t.api('POST', '/credentials', t.tokens.alice, { role: 'ads-analyst' });
    const log = await t.api('GET', '/credentials/log', t.tokens.alice);
    // Assess
    expect(health.status).toBe(200);
    expect(roles.body.items).toHaveLength(3);
    expect(issued.status).toBe(503);
    expect(issued.body.message).toMatch(/AWS_PROFILE/);
    expect(issued.body.message).toMatch(/AWS_ACCESS_KEY_ID/);
    expect(log.body).toEqual({ items: [], nextCursor: null });
  });
});
