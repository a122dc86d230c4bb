import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeStsClient, StsCredentialBroker } from '../../src/adapters/aws/sts-credential-broker.ts';
import type { AwsCredentials } from '../../src/domain/credentials.ts';
import { ForbiddenError, QuotaExceededError, UpstreamError, ValidationError } from '../../src/domain/errors.ts';
import type { AssumeRoleRequest } from '../../src/ports/credential-broker.ts';
import { FAKE_STS_CALLER, type FakeSts, startFakeSts } from '../support/fake-sts.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const CHILD = 'functions/test/support/assume-role-child.ts';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/data-lake-reader';
const REQUEST: AssumeRoleRequest = {
  roleArn: ROLE_ARN,
  sessionName: 'orrery-ann',
  sourceIdentity: 'ann',
  tags: { 'orrery:user': 'ann', 'orrery:team': 'ml', 'orrery:purpose': 'run', 'orrery:run': 'r-0001' },
  durationSeconds: 1800,
};

let fake: FakeSts;
beforeAll(async () => {
  fake = await startFakeSts();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());
afterEach(() => vi.unstubAllEnvs());

/** A broker whose client is pointed at `url` by its endpoint option, signing with fixed keys. */
const brokerAt = (url: string, credentials: { accessKeyId: string; secretAccessKey: string } = FAKE_STS_CALLER) =>
  new StsCredentialBroker(new STSClient({ region: 'eu-west-1', endpoint: url, credentials, maxAttempts: 1 }));

/** What a fresh process printed after assuming REQUEST's role with exactly `env` (see assume-role-child.ts). */
const inChild = async (env: Record<string, string>) => {
  // Asynchronous on purpose: the fake answers from this process's event loop while the child waits.
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(REQUEST)], {
    cwd: ROOT,
    env,
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as {
    keys?: AwsCredentials;
    error?: { name: string; code: string; message: string };
  };
};

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('the broker resolved'),
    (err: unknown) => err as Error,
  );

describe('StsCredentialBroker against an STS-compatible endpoint', () => {
  it("sends role, source identity, tags and duration to AWS_ENDPOINT_URL_STS, signed by the chain's keys", async () => {
    // Prepare
    vi.stubEnv('AWS_ENDPOINT_URL_STS', fake.url);
    vi.stubEnv('AWS_ACCESS_KEY_ID', FAKE_STS_CALLER.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', FAKE_STS_CALLER.secretAccessKey);
    vi.stubEnv('AWS_PROFILE', undefined);
    const broker = new StsCredentialBroker(makeStsClient('eu-west-1'));

    // Act
    const keys = await broker.assumeRole(REQUEST);

    // Assess
    expect(fake.requests).toHaveLength(1);
    const got = fake.requests[0]!;
    expect(got).toMatchObject({
      action: 'AssumeRole',
      version: '2011-06-15',
      roleArn: ROLE_ARN,
      roleSessionName: 'orrery-ann',
      sourceIdentity: 'ann',
      durationSeconds: 1800,
      tags: REQUEST.tags,
      accessKeyId: FAKE_STS_CALLER.accessKeyId,
      region: 'eu-west-1',
    });
    expect(got.error).toBeUndefined();
    expect(keys).toEqual({ ...got.issued!, expiration: new Date(got.issued!.expiration).toISOString() });
  });

  it('gets keys in a fresh process whose environment has only AWS_ENDPOINT_URL_STS and static keys', async () => {
    // Prepare
    const home = mkdtempSync(join(tmpdir(), 'orrery-sts-home-'));
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_ENDPOINT_URL_STS: fake.url,
      AWS_ACCESS_KEY_ID: FAKE_STS_CALLER.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_STS_CALLER.secretAccessKey,
    };

    // Act
    const out = await inChild(env).finally(() => rmSync(home, { recursive: true, force: true }));

    // Assess
    expect(out.error).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.sourceIdentity).toBe('ann');
    expect(out.keys?.accessKeyId).toBe(fake.requests[0]!.issued!.accessKeyId);
    expect(out.keys?.sessionToken).toBe(fake.requests[0]!.issued!.sessionToken);
  });

  it('answers 503 saying what to set when the process has no AWS credentials at all', async () => {
    // Prepare
    const home = mkdtempSync(join(tmpdir(), 'orrery-sts-empty-'));

    // Act
    const out = await inChild({ PATH: process.env.PATH ?? '', HOME: home }).finally(() =>
      rmSync(home, { recursive: true, force: true }),
    );

    // Assess
    expect(out.keys).toBeUndefined();
    expect(out.error).toMatchObject({ name: 'UpstreamError', code: 'upstream_unavailable' });
    expect(out.error!.message).toContain('AWS_PROFILE');
    expect(out.error!.message).toContain('AWS_ACCESS_KEY_ID');
    expect(fake.requests).toHaveLength(0);
  });

  it('returns the keys the endpoint issued, expiring after the asked duration', async () => {
    // Prepare
    const broker = brokerAt(fake.url);
    const before = Date.now();

    // Act
    const keys = await broker.assumeRole({ ...REQUEST, durationSeconds: 2700 });

    // Assess
    const issued = fake.requests[0]!.issued!;
    expect(keys.accessKeyId).toBe(issued.accessKeyId);
    expect(keys.secretAccessKey).toBe(issued.secretAccessKey);
    expect(keys.sessionToken).toBe(issued.sessionToken);
    const expires = Date.parse(keys.expiration);
    expect(expires).toBeGreaterThanOrEqual(before + 2700_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 2700_000);
  });

  it("answers 403 naming the role when the role's trust policy does not let the broker in", async () => {
    // Prepare
    fake.state.deny.add(ROLE_ARN);

    // Act
    const err = await failure(brokerAt(fake.url).assumeRole(REQUEST));

    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err.message).toContain(ROLE_ARN);
    expect(err.message).toContain('npm run trust-policy');
    expect(fake.requests[0]!.error).toBe('AccessDenied');
  });

  it("answers 400 for a duration over the role's MaxSessionDuration and grants one at it", async () => {
    // Prepare
    fake.state.maxSessionSeconds.set(ROLE_ARN, 7200);
    const broker = brokerAt(fake.url);

    // Act
    const over = await failure(broker.assumeRole({ ...REQUEST, durationSeconds: 7201 }));
    const at = await broker.assumeRole({ ...REQUEST, durationSeconds: 7200 });

    // Assess
    expect(over).toBeInstanceOf(ValidationError);
    expect(over.message).toContain('7201-second');
    expect(at.accessKeyId).toMatch(/^ASIA/);
    expect(fake.requests.map((r) => r.error)).toEqual(['ValidationError', undefined]);
  });

  it('answers 400 past an hour when the broker is itself a role session (role chaining)', async () => {
    // Prepare
    fake.state.chained = true;
    fake.state.maxSessionSeconds.set(ROLE_ARN, 43_200);

    // Act
    const err = await failure(brokerAt(fake.url).assumeRole({ ...REQUEST, durationSeconds: 3601 }));

    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('role chaining');
  });

  it('answers 429 while STS keeps throttling, and gets keys when one retry is enough', async () => {
    // Prepare
    fake.state.throttle = Number.POSITIVE_INFINITY;
    const retrying = new StsCredentialBroker(
      new STSClient({ region: 'eu-west-1', endpoint: fake.url, credentials: FAKE_STS_CALLER, maxAttempts: 2 }),
    );

    // Act
    const throttled = await failure(brokerAt(fake.url).assumeRole(REQUEST));
    fake.state.throttle = 1;
    const keys = await retrying.assumeRole(REQUEST);

    // Assess
    expect(throttled).toBeInstanceOf(QuotaExceededError);
    expect(keys.accessKeyId).toMatch(/^ASIA/);
    expect(fake.requests.map((r) => r.error)).toEqual(['Throttling', 'Throttling', undefined]);
  });

  it('hands out keys that expire early in short-expiry mode, and fresh keys on the next call', async () => {
    // Prepare
    fake.state.expiresInSeconds = 2;
    const broker = brokerAt(fake.url);

    // Act
    const first = await broker.assumeRole(REQUEST);
    const second = await broker.assumeRole(REQUEST);

    // Assess
    expect(Date.parse(first.expiration) - Date.now()).toBeLessThanOrEqual(2000);
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(fake.requests.map((r) => r.durationSeconds)).toEqual([1800, 1800]);
  });

  it("answers 503 naming the keys to fix when the endpoint refuses the broker's signature", async () => {
    // Prepare
    const wrongSecret = { accessKeyId: FAKE_STS_CALLER.accessKeyId, secretAccessKey: 'not-the-secret' };

    // Act
    const err = await failure(brokerAt(fake.url, wrongSecret).assumeRole(REQUEST));

    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toContain('SignatureDoesNotMatch');
    expect(err.message).toContain('AWS_ACCESS_KEY_ID');
  });

  it('answers 503 pointing at AWS_ENDPOINT_URL_STS when nothing listens at the endpoint', async () => {
    // Prepare
    const gone = await startFakeSts();
    await gone.close();

    // Act
    const err = await failure(brokerAt(gone.url).assumeRole(REQUEST));

    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain('AWS_ENDPOINT_URL_STS');
  });

  it('is refused, as STS refuses it, when a request is not SigV4-signed', async () => {
    // Prepare
    const form = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: ROLE_ARN });

    // Act
    const res = await fetch(fake.url, { method: 'POST', body: form });
    const text = await res.text();

    // Assess
    expect(res.status).toBe(403);
    expect(text).toContain('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(text).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(fake.requests[0]!.error).toBe('MissingAuthenticationToken');
  });
});
