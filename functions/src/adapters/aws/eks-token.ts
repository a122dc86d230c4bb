import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, QueryParameterBag } from '@smithy/types';

/** Which cluster a token is for, whose credentials sign it, and a clock tests can move. */
export interface EksTokenOptions {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentityProvider;
  now?: () => Date;
}

const TOKEN_PREFIX = 'k8s-aws-v1.';
// What `aws eks get-token` asks for; EKS itself accepts the token for about 15 minutes regardless.
const PRESIGN_EXPIRES_SECONDS = 60;
// Renew one minute before the 14 minutes the CLI advertises, so a request never carries a token on its last breath.
const REUSE_MS = 13 * 60_000;
const CREDENTIAL_MARGIN_MS = 60_000;

// SigV4 wants RFC 3986 encoding; encodeURIComponent leaves !'()* alone.
const encode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const queryString = (query: QueryParameterBag = {}): string =>
  Object.entries(query)
    .flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) => (v === null ? encode(key) : `${encode(key)}=${encode(v)}`)),
    )
    .join('&');

/**
 * Bearer tokens for the EKS API server, made the way `aws eks get-token` (and aws-iam-authenticator)
 * makes them: a presigned STS GetCallerIdentity URL bound to the cluster by a signed `x-k8s-aws-id` header.
 */
export class EksTokenProvider {
  private cached?: { token: string; renewAt: number };
  private pending?: Promise<string>;
  private readonly now: () => Date;

  constructor(private readonly options: EksTokenOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** A token valid for at least another minute; concurrent callers share one signing. */
  async token(): Promise<string> {
    if (this.cached && this.now().getTime() < this.cached.renewAt) return this.cached.token;
    this.pending ??= this.sign().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async sign(): Promise<string> {
    const { clusterName, region } = this.options;
    const signedAt = this.now();
    const identity = await this.options.credentials();
    const hostname = `sts.${region}.amazonaws.com`;
    const signer = new SignatureV4({
      service: 'sts',
      region,
      credentials: identity,
      sha256: Hash.bind(null, 'sha256'),
    });
    const request = new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      // Only x-amz-* headers are hoisted into the query, so x-k8s-aws-id stays a signed header, as EKS requires.
      headers: { host: hostname, 'x-k8s-aws-id': clusterName },
    });
    const presigned = await signer.presign(request, { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: signedAt });
    const url = `https://${hostname}/?${queryString(presigned.query)}`;
    const token = TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url').replace(/=+$/, '');
    // A URL signed with temporary credentials dies with them, whatever its own expiry says.
    const credentialsEnd = identity.expiration ? identity.expiration.getTime() - CREDENTIAL_MARGIN_MS : Infinity;
    this.cached = { token, renewAt: Math.min(signedAt.getTime() + REUSE_MS, credentialsEnd) };
    return token;
  }
}
