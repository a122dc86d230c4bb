import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../../src/domain/errors.ts';
import { DEFAULT_CLAIM_NAMES, readGroups, userFromClaims, type ClaimNames } from '../../../src/domain/user.ts';

const OIDC: ClaimNames = { user: 'sub', name: 'name', teams: 'groups', adminGroup: 'orrery-admins' };

describe('userFromClaims', () => {
  it('gives no admin right and no team from a group named "Reporting, orrery-admins"', () => {
    // Prepare
    const claims = { sub: 'mallory', groups: ['Reporting, orrery-admins'] };

    // Act
    const user = userFromClaims(claims, OIDC);

    // Assess
    expect(user).toEqual({ id: 'mallory', name: 'mallory', teams: [], admin: false });
  });

  it('keeps a member of "Data Science" out of the team "Science"', () => {
    // Prepare
    const claims = { sub: 'mallory', groups: ['Data Science', 'ads'] };

    // Act
    const user = userFromClaims(claims, OIDC);

    // Assess
    expect(user.teams).toEqual(['ads']);
  });

  it('reads a string-valued groups claim as one group, never as a list', () => {
    // Prepare
    const cases = [
      [{ sub: 'u', groups: 'Science' }, ['Science']],
      [{ sub: 'u', groups: 'Reporting,orrery-admins' }, []],
      [{ sub: 'u', groups: '[Data Science]' }, []],
      [{ sub: 'u', groups: '[orrery-admins]' }, ['[orrery-admins]']],
    ] as const;

    // Act
    const users = cases.map(([claims]) => userFromClaims(claims, OIDC));

    // Assess
    expect(users.map((u) => u.teams)).toEqual(cases.map(([, teams]) => teams));
    expect(users.some((u) => u.admin)).toBe(false);
  });

  it('makes admins of the admin group and of no name that merely contains it', () => {
    // Prepare
    const hostile = [
      'orrery-admins ',
      ' orrery-admins',
      'orrery-admins\n',
      'orrery-admins,x',
      'orrery-admins\u00a0',
      'orrery-admins\u0000',
    ];

    // Act
    const admins = hostile.map((g) => userFromClaims({ sub: 'u', groups: [g] }, OIDC).admin);
    const real = userFromClaims({ sub: 'u', groups: ['orrery-admins', 'ads', 7, null, { n: 'orrery-admins' }] }, OIDC);

    // Assess
    expect(admins).toEqual(hostile.map(() => false));
    expect(real).toMatchObject({ admin: true, teams: ['ads'] });
  });

  it('makes admins from a dedicated claim: true, or a configured value alone or in a list', () => {
    // Prepare
    const byFlag: ClaimNames = { ...OIDC, adminGroup: '', adminClaim: { name: 'orrery_admin' } };
    const byRole: ClaimNames = { ...OIDC, adminGroup: '', adminClaim: { name: 'roles', value: 'Orrery.Admin' } };

    // Act
    const flag = (v: unknown) => userFromClaims({ sub: 'u', orrery_admin: v }, byFlag).admin;
    const role = (v: unknown) => userFromClaims({ sub: 'u', roles: v }, byRole).admin;

    // Assess
    expect([flag(true), flag('true'), flag(1), flag([true]), flag(undefined)]).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    expect([
      role(['Reader', 'Orrery.Admin']),
      role('Orrery.Admin'),
      role('Orrery.Admin Reader'),
      role(['Orrery.Admins']),
      role(undefined),
    ]).toEqual([true, true, false, false, false]);
    expect(userFromClaims({ sub: 'u', groups: ['orrery-admins'] }, byRole)).toMatchObject({
      admin: false,
      teams: ['orrery-admins'],
    });
  });

  it('refuses a token without a usable user claim', () => {
    // Prepare
    // Act
    const read = () => userFromClaims({ sub: 'has space' }, DEFAULT_CLAIM_NAMES);

    // Assess
    expect(read).toThrow(UnauthorizedError);
  });
});

describe('readGroups', () => {
  it('drops names with whitespace, commas or control characters and keeps each other name once', () => {
    // Prepare
    const claim = ['Science', 'Data Science', 'a,b', 'tab\there', 'Science', 'eng:platform', 'Ünïcode-team', ''];

    // Act
    const groups = readGroups(claim);

    // Assess
    expect(groups).toEqual(['Science', 'eng:platform', 'Ünïcode-team']);
  });
});
