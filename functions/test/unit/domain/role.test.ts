import { describe, expect, it } from 'vitest';
import { ForbiddenError, ValidationError } from '../../../src/domain/errors.ts';
import {
  describeRole,
  holdsRole,
  type Role,
  roleFor,
  rolesFor,
  sessionSeconds,
  teamFor,
} from '../../../src/domain/role.ts';
import type { User } from '../../../src/domain/user.ts';
import { testRole } from '../../support/fakes.ts';

const role = testRole;

const user = (id: string, teams: string[] = [], admin = false): User => ({ id, name: id, teams, admin });

const REGISTRY = [
  role('ads-analyst', { teams: ['ads'] }),
  role('risk-prod', { teams: ['risk'], users: ['alice'], environment: 'prod' }),
  role('sandbox', { teams: ['*'], maxSessionSeconds: 43_200 }),
  role('break-glass', { users: ['root'] }),
];

const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
};

describe('rolesFor', () => {
  it('gives a user the roles of their teams, the roles open to everyone and the roles naming them, in registry order', () => {
    // Prepare
    const alice = user('alice', ['ads']);
    const bob = user('bob', ['risk']);
    const loner = user('loner');
    // Act
    const names = (u: User) => rolesFor(u, REGISTRY).map((r) => r.name);
    // Assess
    expect(names(alice)).toEqual(['ads-analyst', 'risk-prod', 'sandbox']);
    expect(names(bob)).toEqual(['risk-prod', 'sandbox']);
    expect(names(loner)).toEqual(['sandbox']);
  });

  it('gives an admin no role their teams or id do not hold: AWS access is granted role by role', () => {
    // Prepare
    const admin = user('boss', [], true);
    // Act
    const held = rolesFor(admin, REGISTRY).map((r) => r.name);
    // Assess
    expect(held).toEqual(['sandbox']);
    expect(holdsRole(admin, REGISTRY[3]!)).toBe(false);
  });

  it('matches teams and user ids exactly, never by prefix or case', () => {
    // Prepare
    const lookalikes = [user('Alice', ['Ads']), user('alice2', ['ads-x']), user('roo', ['risk '])];
    // Act
    const held = lookalikes.map((u) => rolesFor(u, REGISTRY).map((r) => r.name));
    // Assess
    expect(held).toEqual([['sandbox'], ['sandbox'], ['sandbox']]);
  });
});

describe('roleFor', () => {
  it('finds a role the user holds', () => {
    // Act
    const found = roleFor(user('alice', ['ads']), REGISTRY, 'risk-prod');
    // Assess
    expect(found.name).toBe('risk-prod');
  });

  it('refuses an unknown role and a role not held with the very same 403', () => {
    // Prepare
    const bob = user('bob', ['risk']);
    // Act
    const unknown = thrown(() => roleFor(bob, REGISTRY, 'no-such-role'));
    const notHeld = thrown(() => roleFor(bob, REGISTRY, 'ads-analyst'));
    // Assess
    expect(unknown).toBeInstanceOf(ForbiddenError);
    expect(notHeld).toBeInstanceOf(ForbiddenError);
    expect(unknown.message).toBe("you may not assume role 'no-such-role': ask an admin to add you or your team to it");
    expect(notHeld.message).toBe(unknown.message.replace('no-such-role', 'ads-analyst'));
  });
});

describe('sessionSeconds', () => {
  it('defaults to an hour, or the role maximum when that is shorter', () => {
    // Act
    const long = sessionSeconds(role('long', { maxSessionSeconds: 43_200 }));
    const short = sessionSeconds(role('short', { maxSessionSeconds: 1800 }));
    // Assess
    expect(long).toBe(3600);
    expect(short).toBe(1800);
  });

  it.each([900, 1800, 7200])('takes %i seconds within the bounds', (asked) => {
    // Act
    const seconds = sessionSeconds(role('r', { maxSessionSeconds: 7200 }), asked);
    // Assess
    expect(seconds).toBe(asked);
  });

  it.each([899, 7201, 0, -1, 1800.5, Number.NaN])('refuses %s seconds with a 400 naming the bounds', (asked) => {
    // Act
    const err = thrown(() => sessionSeconds(role('r', { maxSessionSeconds: 7200 }), asked)) as ValidationError;
    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toBe("durationSeconds must be a whole number from 900 to 7200 for role 'r'");
    expect(err.details).toEqual([{ path: 'body.durationSeconds', message: 'outside 900–7200' }]);
  });
});

describe('teamFor', () => {
  it("tags the session with the team that grants the role, else the user's first team, else none", () => {
    // Prepare
    const [analyst, , sandbox, breakGlass] = REGISTRY as [Role, Role, Role, Role];
    // Act
    const granting = teamFor(user('amir', ['ads', 'zeta']), { ...analyst, teams: ['zeta'] });
    const first = teamFor(user('amir', ['ads', 'zeta']), sandbox);
    const none = teamFor(user('root'), breakGlass);
    // Assess
    expect(granting).toBe('zeta');
    expect(first).toBe('ads');
    expect(none).toBeNull();
  });
});

describe('describeRole', () => {
  it('shows a role without the teams and users that hold it', () => {
    // Act
    const view = describeRole(REGISTRY[1]!);
    // Assess
    expect(view).toEqual({
      name: 'risk-prod',
      roleArn: 'arn:aws:iam::123456789012:role/risk-prod',
      account: 'ads-dev',
      environment: 'prod',
      maxSessionSeconds: 3600,
      description: '',
    });
  });
});
