import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import type { Role } from '../../../src/domain/role.ts';
import {
  cappedMaxSeconds,
  cappedRole,
  cappedSessionSeconds,
  ROLE_CHAINING_MAX_SECONDS,
} from '../../../src/domain/session-cap.ts';
import { testRole } from '../../support/fakes.ts';

const role = (maxSessionSeconds: number): Role => testRole('sandbox', { maxSessionSeconds, teams: ['*'] });

const refusal = (fn: () => unknown): ValidationError => {
  try {
    fn();
  } catch (err) {
    return err as ValidationError;
  }
  throw new Error('expected a refusal');
};

describe('the broker’s session cap', () => {
  it('lowers a role’s maximum to the cap, and leaves it alone without one or below it', () => {
    // Prepare
    const long = role(43_200);
    const short = role(1800);

    // Act
    const maxima = [cappedMaxSeconds(long, 3600), cappedMaxSeconds(long), cappedMaxSeconds(short, 3600)];

    // Assess
    expect(maxima).toEqual([3600, 43_200, 1800]);
    expect(cappedRole(long, ROLE_CHAINING_MAX_SECONDS)).toEqual({ ...long, maxSessionSeconds: 3600 });
  });

  it('refuses a duration the role allows but the cap does not, explaining role chaining', () => {
    // Prepare
    const long = role(43_200);

    // Act
    const err = refusal(() => cappedSessionSeconds(long, 3600, 7200));

    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/at most 3600 for role 'sandbox' here, though the role allows 43200/);
    expect(err.message).toMatch(/chained sessions at 3600 seconds/);
    expect(err.details).toEqual([
      { path: 'body.durationSeconds', message: "above the broker's cap of 3600 (role chaining)" },
    ]);
  });

  it('names a deployment’s cap below the hour as its own, beside AWS’s', () => {
    // Act
    const err = refusal(() => cappedSessionSeconds(role(43_200), 1800, 3600));

    // Assess
    expect(err.message).toMatch(/at 3600 seconds \(this deployment at 1800\)/);
  });

  it('keeps the registry’s own bounds message for what the role itself refuses, with the capped maximum', () => {
    // Act
    const tooShort = refusal(() => cappedSessionSeconds(role(43_200), 3600, 600));
    const beyondTheRole = refusal(() => cappedSessionSeconds(role(1800), 3600, 2400));

    // Assess
    expect(tooShort.message).toMatch(/from 900 to 3600 for role 'sandbox'/);
    expect(beyondTheRole.message).toMatch(/from 900 to 1800 for role 'sandbox'/);
    expect(beyondTheRole.message).not.toMatch(/chain/);
  });

  it('defaults to an hour under the cap, and grants what lies within it', () => {
    // Act
    const defaults = [cappedSessionSeconds(role(43_200), 3600), cappedSessionSeconds(role(43_200), undefined)];
    const asked = [cappedSessionSeconds(role(43_200), 3600, 3600), cappedSessionSeconds(role(43_200), undefined, 7200)];

    // Assess
    expect(defaults).toEqual([3600, 3600]);
    expect(asked).toEqual([3600, 7200]);
  });
});
