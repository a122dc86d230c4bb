import type { AwsCredentials } from '../../src/domain/credentials.ts';
import { ForbiddenError, QuotaExceededError, ValidationError } from '../../src/domain/errors.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { AssumeRoleRequest, CredentialBroker } from '../../src/ports/credential-broker.ts';

/**
 * A broker that hands out recognisable keys and remembers every request. Its levers stand for what AWS would do
 * (a trust policy that refuses, a role's own session limit, throttling) and answer the errors the STS adapter maps
 * those to; `fail` makes every call throw a given error.
 */
export class FakeCredentialBroker implements CredentialBroker {
  readonly requests: AssumeRoleRequest[] = [];
  /** Thrown by every call while set (a domain error, as the STS adapter would throw). */
  fail: Error | undefined;
  private n = 0;
  private readonly denied = new Set<string>();
  private readonly limits = new Map<string, number>();
  private throttled = false;

  constructor(private readonly clock: Clock = { now: () => new Date('2026-01-05T09:00:00.000Z') }) {}

  /** The role's trust policy stops letting Orrery in. */
  deny(roleArn: string): void {
    this.denied.add(roleArn);
  }

  /** The role's own MaxSessionDuration. */
  limitSession(roleArn: string, maxSeconds: number): void {
    this.limits.set(roleArn, maxSeconds);
  }

  /** Every further request is throttled. */
  throttle(): void {
    this.throttled = true;
  }

  async assumeRole(request: AssumeRoleRequest): Promise<AwsCredentials> {
    this.requests.push(structuredClone(request));
    if (this.fail) throw this.fail;
    this.refuse(request);
    this.n += 1;
    const expiration = new Date(this.clock.now().getTime() + request.durationSeconds * 1000).toISOString();
    return {
      accessKeyId: `ASIAFAKE${String(this.n).padStart(12, '0')}`,
      secretAccessKey: `fake-secret-${this.n}-${'s'.repeat(24)}`,
      sessionToken: `fake-session-token-${this.n}-${'t'.repeat(40)}`,
      expiration,
    };
  }

  private refuse({ roleArn, durationSeconds }: AssumeRoleRequest): void {
    if (this.throttled) throw new QuotaExceededError('AWS is throttling the credentials broker; try again shortly');
    if (this.denied.has(roleArn))
      throw new ForbiddenError(`AWS refused to let Orrery assume ${roleArn}: see npm run trust-policy -- <role>`);
    const limit = this.limits.get(roleArn);
    if (limit !== undefined && durationSeconds > limit)
      throw new ValidationError(`durationSeconds ${durationSeconds} is over what ${roleArn} allows`);
  }
}
