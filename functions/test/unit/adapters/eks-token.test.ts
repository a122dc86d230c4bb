import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentialIdentity } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { EksTokenProvider } from '../../../src/adapters/aws/eks-token.ts';

const CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const SIGNED_AT = new Date('2026-03-04T05:06:07.000Z');

/** A provider on a clock the test moves, counting how often it asks for credentials. */
const provider = (credentials: AwsCredentialIdentity = CREDENTIALS) => {
  const clock = { now: SIGNED_AT.getTime() };
  const calls = { credentials: 0 };
  const tokens = new EksTokenProvider({
    clusterName: 'orrery-prod',
    region: 'eu-west-1',
    credentials: async () => {
      calls.credentials += 1;
      return credentials;
    },
    now: () => new Date(clock.now),
  });
  return { tokens, clock, calls };
};

const decode = (token: string): URL =>
  new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));

const rfc3986 = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

/** SigV4 for a presigned GET, written out by hand from the AWS documentation, for the URL's own parameters. */
const expectedSignature = (url: URL, clusterName: string, secretAccessKey: string): string => {
  const params = [...url.searchParams.entries()].filter(([key]) => key !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    'host;x-k8s-aws-id',
    sha256Hex(''),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const [, date, region, service] = url.searchParams.get('X-Amz-Credential')!.split('/');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
};

describe('EksTokenProvider', () => {
  it('makes a k8s-aws-v1 token without padding that wraps a presigned STS GetCallerIdentity URL for the region', async () => {
    // Prepare
    const { tokens } = provider();
    // Act
    const token = await tokens.token();
    // Assess
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token).not.toContain('=');
    expect(token.slice('k8s-aws-v1.'.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = decode(token);
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260304T050607Z');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20260304/eu-west-1/sts/aws4_request');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(url.searchParams.has('x-k8s-aws-id')).toBe(false);
  });

  it('signs the URL exactly as SigV4 prescribes, the cluster name among the signed headers', async () => {
    // Prepare
    const { tokens } = provider();
    // Act
    const url = decode(await tokens.token());
    // Assess
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, 'orrery-prod', CREDENTIALS.secretAccessKey),
    );
    expect(url.searchParams.get('X-Amz-Signature')).not.toBe(
      expectedSignature(url, 'another-cluster', CREDENTIALS.secretAccessKey),
    );
  });

  it('carries and signs the session token of temporary credentials', async () => {
    // Prepare
    const sessionToken = 'IQoJb3JpZ2luX2VjEXAMPLE+/=token';
    const { tokens } = provider({ ...CREDENTIALS, sessionToken });
    // Act
    const url = decode(await tokens.token());
    // Assess
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(sessionToken);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, 'orrery-prod', CREDENTIALS.secretAccessKey),
    );
  });

  it('reuses the token for 13 minutes and signs a new one after that', async () => {
    // Prepare
    const { tokens, clock, calls } = provider();
    const first = await tokens.token();
    // Act
    clock.now += 13 * 60_000 - 1;
    const reused = await tokens.token();
    clock.now += 1;
    const renewed = await tokens.token();
    // Assess
    expect(reused).toBe(first);
    expect(renewed).not.toBe(first);
    expect(decode(renewed).searchParams.get('X-Amz-Date')).toBe('20260304T051907Z');
    expect(calls.credentials).toBe(2);
  });

  it('signs once for callers that ask at the same time', async () => {
    // Prepare
    const { tokens, calls } = provider();
    // Act
    const all = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    // Assess
    expect(new Set(all).size).toBe(1);
    expect(calls.credentials).toBe(1);
  });

  it('renews early when the credentials that signed the token expire first', async () => {
    // Prepare
    const { tokens, clock } = provider({
      ...CREDENTIALS,
      sessionToken: 'session',
      expiration: new Date(SIGNED_AT.getTime() + 5 * 60_000),
    });
    const first = await tokens.token();
    // Act
    clock.now += 4 * 60_000;
    const renewed = await tokens.token();
    // Assess
    expect(renewed).not.toBe(first);
  });
});
