import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeStsClient, StsCredentialBroker } from '../../../src/adapters/aws/sts-credential-broker.ts';
import {
  type AppError,
  ForbiddenError,
  QuotaExceededError,
  UpstreamError,
  ValidationError,
} from '../../../src/domain/errors.ts';
import type { AssumeRoleRequest } from '../../../src/ports/credential-broker.ts';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/data-lake-reader';
const REQUEST: AssumeRoleRequest = {
  roleArn: ROLE_ARN,
  sessionName: 'orrery-ann',
  sourceIdentity: 'ann',
  tags: { 'orrery:user': 'ann', 'orrery:team': 'ml', 'orrery:purpose': 'server', 'orrery:server': 'ann-lab' },
  durationSeconds: 1800,
};
const KEYS = {
  AccessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  SecretAccessKey: 'secret/EXAMPLE/key',
  SessionToken: 'token+EXAMPLE==',
  Expiration: new Date('2026-03-04T06:06:07Z'),
};

/** A broker over a client whose `send` is mocked (this client only: makeStsClient's stays real). */
const mocked = () => {
  const client = new STSClient({ region: 'eu-west-1' });
  return { sts: mockClient(client), broker: new StsCredentialBroker(client) };
};

/** An error as the SDK throws it for an STS error response with this code. */
const stsError = (name: string, message: string, httpStatusCode = 400) =>
  new STSServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode } });

/** What the broker throws when the client fails with `err`. */
const failure = async (err: Error, request = REQUEST): Promise<AppError> => {
  const { sts, broker } = mocked();
  sts.on(AssumeRoleCommand).rejects(err);
  return (await broker.assumeRole(request).then(
    () => expect.fail('the broker resolved'),
    (e: unknown) => e,
  )) as AppError;
};

describe('StsCredentialBroker', () => {
  it('sends one AssumeRole with the role, session name, source identity, Key/Value tags and duration', async () => {
    // Prepare
    const { sts, broker } = mocked();
    sts.on(AssumeRoleCommand).resolves({ Credentials: KEYS });

    // Act
    await broker.assumeRole(REQUEST);

    // Assess
    const calls = sts.commandCalls(AssumeRoleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      RoleArn: ROLE_ARN,
      RoleSessionName: 'orrery-ann',
      SourceIdentity: 'ann',
      Tags: [
        { Key: 'orrery:user', Value: 'ann' },
        { Key: 'orrery:team', Value: 'ml' },
        { Key: 'orrery:purpose', Value: 'server' },
        { Key: 'orrery:server', Value: 'ann-lab' },
      ],
      DurationSeconds: 1800,
    });
  });

  it('answers exactly the keys STS returned, with the expiration as ISO-8601', async () => {
    // Prepare
    const { sts, broker } = mocked();
    sts.on(AssumeRoleCommand).resolves({ Credentials: KEYS, SourceIdentity: 'ann' });

    // Act
    const keys = await broker.assumeRole(REQUEST);

    // Assess
    expect(keys).toEqual({
      accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
      secretAccessKey: 'secret/EXAMPLE/key',
      sessionToken: 'token+EXAMPLE==',
      expiration: '2026-03-04T06:06:07.000Z',
    });
  });

  it('sends no tags at all when the request has none', async () => {
    // Prepare
    const { sts, broker } = mocked();
    sts.on(AssumeRoleCommand).resolves({ Credentials: KEYS });

    // Act
    await broker.assumeRole({ ...REQUEST, tags: {} });

    // Assess
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.Tags).toEqual([]);
  });

  it('treats an answer without complete credentials as STS failing (503)', async () => {
    // Prepare
    const { sts, broker } = mocked();
    sts.on(AssumeRoleCommand).resolves({ Credentials: { ...KEYS, SessionToken: undefined } as never });

    // Act
    const err = await broker.assumeRole(REQUEST).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toContain(ROLE_ARN);
  });
});

describe('StsCredentialBroker error mapping', () => {
  it('turns AccessDenied into a 403 naming the role ARN and the trust-policy command', async () => {
    // Prepare
    const denied = stsError(
      'AccessDenied',
      'User: arn:aws:sts::111111111111:assumed-role/orrery-broker/x is not authorized to perform: ' +
        `sts:AssumeRole on resource: ${ROLE_ARN}`,
      403,
    );

    // Act
    const err = await failure(denied);

    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err.code).toBe('forbidden');
    expect(err.message).toContain(ROLE_ARN);
    expect(err.message).toContain('npm run trust-policy -- <role>');
  });

  it("turns a duration over the role's MaxSessionDuration into a 400 naming the duration", async () => {
    // Prepare
    const tooLong = stsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );

    // Act
    const err = await failure(tooLong, { ...REQUEST, durationSeconds: 7200 });

    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('validation_failed');
    expect(err.message).toContain('7200-second');
    expect(err.message).toContain(ROLE_ARN);
    expect(err.message).toContain('MaxSessionDuration');
  });

  it('turns the role-chaining hour limit into a 400 that keeps STS words', async () => {
    // Prepare
    const chained = stsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );

    // Act
    const err = await failure(chained, { ...REQUEST, durationSeconds: 5400 });

    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('role chaining');
  });

  it('turns throttling into a 429', async () => {
    // Prepare
    const throttled = stsError('Throttling', 'Rate exceeded');

    // Act
    const err = await failure(throttled);

    // Assess
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect(err.code).toBe('quota_exceeded');
  });

  it('turns the default chain finding no credentials into a 503 saying what to set', async () => {
    // Prepare
    const none = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });

    // Act
    const err = await failure(none);

    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.code).toBe('upstream_unavailable');
    expect(err.message).toMatch(/AWS_PROFILE/);
    expect(err.message).toMatch(/AWS_ACCESS_KEY_ID/);
  });

  it('turns a refused connection into a 503 that points at AWS_ENDPOINT_URL_STS', async () => {
    // Prepare
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });

    // Act
    const err = await failure(refused);

    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain('AWS_ENDPOINT_URL_STS');
  });

  it("turns STS refusing the broker's own keys into a 503 saying which keys to fix", async () => {
    // Prepare
    const invalid = stsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);

    // Act
    const err = await failure(invalid);

    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toContain('InvalidClientTokenId');
    expect(err.message).toContain('AWS_PROFILE');
  });

  it('turns any other STS failure into a 503 naming the role and the code', async () => {
    // Prepare
    const internal = new STSServiceException({
      name: 'InternalFailure',
      message: 'We encountered an internal error.',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });

    // Act
    const err = await failure(internal);

    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toContain('InternalFailure');
    expect(err.message).toContain(ROLE_ARN);
  });
});

describe('makeStsClient', () => {
  afterEach(() => vi.unstubAllEnvs());

  it("targets the region's own STS endpoint, not the global one", async () => {
    // Prepare
    // Whatever endpoint this machine configures (AWS_ENDPOINT_URL_STS, ~/.aws/config) is not what is under test.
    vi.stubEnv('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'true');
    // The default chain resolves an identity before the endpoint; any keys will do, nothing is sent.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    const client = makeStsClient('eu-west-1');
    let url = '';
    // Stop at the build step: the endpoint is resolved by then, and nothing is signed or sent.
    client.middlewareStack.add(
      () => async (args) => {
        const request = args.request as { protocol: string; hostname: string; path: string };
        url = `${request.protocol}//${request.hostname}${request.path}`;
        throw new Error('stopped before sending');
      },
      { step: 'build' },
    );

    // Act
    await client.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'orrery-ann' })).catch(() => {});

    // Assess
    expect(url).toBe('https://sts.eu-west-1.amazonaws.com/');
  });
});
