import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentials } from '../../domain/credentials.ts';
import { ForbiddenError, QuotaExceededError, UpstreamError, ValidationError } from '../../domain/errors.ts';
import type { AssumeRoleRequest, CredentialBroker } from '../../ports/credential-broker.ts';

/** The one STS call the broker makes, so tests can pass a hand-written or mocked client. */
export type StsSend = Pick<STSClient, 'send'>;

/** What to set when the broker has no AWS identity of its own: the message a 503 carries. */
export const MISSING_BROKER_CREDENTIALS =
  'no AWS credentials for the credential broker: set AWS_PROFILE (a profile in ~/.aws/config) or ' +
  'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys); for a local ' +
  'STS-compatible endpoint, set AWS_ENDPOINT_URL_STS too';

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);
// The broker's own keys, not the caller's request, are what STS refused.
const REFUSED_IDENTITY = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'IncompleteSignature',
]);
// What Node's sockets and the SDK's own timeout call a request that never got an answer.
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** An STS or SDK failure as one of the platform's errors, naming the role and what would fix it. */
export const stsErrorToDomain = (err: unknown, request: AssumeRoleRequest): Error => {
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? '';
  const detail = e.message ?? String(err);
  if (name === 'CredentialsProviderError') return new UpstreamError(MISSING_BROKER_CREDENTIALS);
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return new ForbiddenError(
      `AWS refused to let Orrery assume ${request.roleArn}: the role's trust policy must trust Orrery's ` +
        'credential broker and allow sts:SetSourceIdentity and sts:TagSession; print the policy it needs with ' +
        "`npm run trust-policy -- <role>` (the role's name in the registry)",
    );
  }
  if (name === 'ValidationError') {
    return /DurationSeconds/i.test(detail)
      ? new ValidationError(
          `AWS refused a ${request.durationSeconds}-second session for ${request.roleArn} (${detail}): ` +
            "ask for a shorter duration, or raise the role's MaxSessionDuration",
        )
      : new ValidationError(`AWS refused to assume ${request.roleArn}: ${detail}`);
  }
  if (THROTTLING.has(name) || e.$metadata?.httpStatusCode === 429) {
    return new QuotaExceededError('AWS STS is throttling the credential broker: try again in a few seconds');
  }
  if (REFUSED_IDENTITY.has(name)) {
    return new UpstreamError(
      `AWS STS refused the credential broker's own credentials (${name}): ` +
        'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY to valid, unexpired keys',
    );
  }
  if (UNREACHABLE.has(e.code ?? '') || UNREACHABLE.has(name)) {
    return new UpstreamError(
      `AWS STS did not answer (${e.code ?? name}): check the network, or set AWS_ENDPOINT_URL_STS to a ` +
        'reachable STS-compatible endpoint',
    );
  }
  return new UpstreamError(`AWS STS failed to assume ${request.roleArn}: ${name || 'error'}: ${detail}`);
};

/** Assumes roles with STS `AssumeRole`: the user as SourceIdentity, session tags, the asked duration. */
export class StsCredentialBroker implements CredentialBroker {
  constructor(private readonly client: StsSend) {}

  /** Temporary keys for the role; every failure arrives as a platform error. */
  async assumeRole(request: AssumeRoleRequest): Promise<AwsCredentials> {
    const command = new AssumeRoleCommand({
      RoleArn: request.roleArn,
      RoleSessionName: request.sessionName,
      SourceIdentity: request.sourceIdentity,
      Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
      DurationSeconds: request.durationSeconds,
    });
    const out = await this.client.send(command).catch((err: unknown) => {
      throw stsErrorToDomain(err, request);
    });
    const keys = out.Credentials;
    if (!keys?.AccessKeyId || !keys.SecretAccessKey || !keys.SessionToken || !keys.Expiration) {
      throw new UpstreamError(`AWS STS answered AssumeRole for ${request.roleArn} without complete credentials`);
    }
    return {
      accessKeyId: keys.AccessKeyId,
      secretAccessKey: keys.SecretAccessKey,
      sessionToken: keys.SessionToken,
      expiration: keys.Expiration.toISOString(),
    };
  }
}

/**
 * The broker's STS client, the same in both modes: the SDK's default credential chain (the Lambda's role in the
 * cloud; AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO… on a laptop) and the regional endpoint of `region`. The SDK itself
 * honours AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL, or a profile's `endpoint_url`), read at the first request, so
 * local mode reaches any STS-compatible endpoint without Orrery knowing of it.
 */
export const makeStsClient = (region: string): STSClient => new STSClient({ region, useGlobalEndpoint: false });
