import { describe, expect, it } from 'vitest';
import { ForbiddenError, QuotaExceededError, ValidationError } from '../../src/domain/errors.ts';
import type { AssumeRoleRequest, CredentialBroker } from '../../src/ports/credential-broker.ts';

/** How a contract run reaches a broker: a fresh one, and the levers a test pulls on what stands behind it. */
export interface CredentialBrokerHarness {
  broker: CredentialBroker;
  /** What reached AWS (or the fake), as the port's requests. */
  received: () => AssumeRoleRequest[];
  /** The role's trust policy stops letting Orrery in. */
  deny: (roleArn: string) => void;
  /** The role's own MaxSessionDuration. */
  limitSession: (roleArn: string, maxSeconds: number) => void;
  /** Every further request is throttled. */
  throttle: () => void;
}

const ROLE_ARN = 'arn:aws:iam::210987654321:role/analytics-writer';
const REQUEST: AssumeRoleRequest = {
  roleArn: ROLE_ARN,
  sessionName: 'orrery-bob',
  sourceIdentity: 'bob',
  tags: { 'orrery:user': 'bob', 'orrery:team': 'data', 'orrery:purpose': 'interactive' },
  durationSeconds: 1200,
};
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/** The behaviour every CredentialBroker must have; each broker's test file runs it. */
export const credentialBrokerContract = (name: string, make: () => Promise<CredentialBrokerHarness>) =>
  describe(`CredentialBroker contract: ${name}`, () => {
    it('answers keys whose expiration is ISO-8601 and about the asked duration ahead', async () => {
      // Prepare
      const { broker } = await make();
      const before = Date.now();

      // Act
      const keys = await broker.assumeRole(REQUEST);

      // Assess
      expect(keys.accessKeyId).not.toBe('');
      expect(keys.secretAccessKey).not.toBe('');
      expect(keys.sessionToken).not.toBe('');
      expect(keys.expiration).toMatch(ISO_8601);
      const ahead = Date.parse(keys.expiration) - before;
      expect(ahead).toBeGreaterThan((REQUEST.durationSeconds - 60) * 1000);
      expect(ahead).toBeLessThanOrEqual((REQUEST.durationSeconds + 60) * 1000);
    });

    it('answers fresh keys on every call', async () => {
      // Prepare
      const { broker } = await make();

      // Act
      const first = await broker.assumeRole(REQUEST);
      const second = await broker.assumeRole(REQUEST);

      // Assess
      expect(second.accessKeyId).not.toBe(first.accessKeyId);
      expect(second.sessionToken).not.toBe(first.sessionToken);
    });

    it('passes the role, session name, source identity, tags and duration on as given', async () => {
      // Prepare
      const { broker, received } = await make();

      // Act
      await broker.assumeRole(REQUEST);

      // Assess
      expect(received()).toEqual([REQUEST]);
    });

    it("refuses a role whose trust policy does not let Orrery in with a 403 naming the role's ARN", async () => {
      // Prepare
      const { broker, deny } = await make();
      deny(ROLE_ARN);

      // Act
      const err = await broker.assumeRole(REQUEST).catch((e: unknown) => e as Error);

      // Assess
      expect(err).toBeInstanceOf(ForbiddenError);
      expect((err as Error).message).toContain(ROLE_ARN);
      expect((err as Error).message).toContain('npm run trust-policy');
    });

    it("refuses a duration over the role's own limit with a 400, and grants one at the limit", async () => {
      // Prepare
      const { broker, limitSession } = await make();
      limitSession(ROLE_ARN, 5400);

      // Act
      const over = await broker.assumeRole({ ...REQUEST, durationSeconds: 5401 }).catch((e: unknown) => e as Error);
      const at = await broker.assumeRole({ ...REQUEST, durationSeconds: 5400 });

      // Assess
      expect(over).toBeInstanceOf(ValidationError);
      expect(Date.parse(at.expiration)).toBeGreaterThan(Date.now() + 5300_000);
    });

    it('answers 429 while AWS throttles the broker', async () => {
      // Prepare
      const { broker, throttle } = await make();
      throttle();

      // Act
      const err = await broker.assumeRole(REQUEST).catch((e: unknown) => e as Error);

      // Assess
      expect(err).toBeInstanceOf(QuotaExceededError);
    });
  });
