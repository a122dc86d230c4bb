import { describe, expect, it } from 'vitest';
import { sessionNameFor, sessionTagsFor, sourceIdentityFor } from '../../../src/domain/credentials.ts';

const STS_NAME = /^[\w+=,.@-]{2,64}$/;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

describe('sessionNameFor', () => {
  it('names the session orrery-<user>', () => {
    // Act
    const name = sessionNameFor('alice@example.com');
    // Assess
    expect(name).toBe('orrery-alice@example.com');
  });

  it("keeps to STS's characters and 64 characters whatever the user id", () => {
    // Prepare
    const ids = ['a', 'x'.repeat(128), 'odd id/with:chars', 'ünïcode'];
    // Act
    const names = ids.map(sessionNameFor);
    // Assess
    for (const name of names) expect(name).toMatch(STS_NAME);
    expect(names[1]).toBe(`orrery-${'x'.repeat(57)}`);
    expect(names[2]).toBe('orrery-odd-id-with-chars');
  });
});

describe('sourceIdentityFor', () => {
  it('is the user id itself when STS takes it', () => {
    // Act
    const ids = ['alice', 'first.last@example.com', 'a_b-c'].map(sourceIdentityFor);
    // Assess
    expect(ids).toEqual(['alice', 'first.last@example.com', 'a_b-c']);
  });

  it('turns ids STS would refuse into valid identities that still tell two users apart', () => {
    // Prepare
    const long = 'u'.repeat(60);
    const ids = ['a', `${long}-one`, `${long}-two`, 'has space'];
    // Act
    const identities = ids.map(sourceIdentityFor);
    // Assess
    for (const identity of identities) expect(identity).toMatch(STS_NAME);
    expect(new Set(identities).size).toBe(ids.length);
    expect(identities[1]!.startsWith('u'.repeat(55))).toBe(true);
    expect(sourceIdentityFor('a')).toBe(identities[0]);
  });
});

describe('sessionTagsFor', () => {
  it('tags user, team and purpose, and the server or run when there is one', () => {
    // Act
    const interactive = sessionTagsFor({ user: 'alice', team: 'ads', purpose: 'interactive' });
    const server = sessionTagsFor({ user: 'alice', team: null, purpose: 'server', serverId: 'srv-1' });
    const run = sessionTagsFor({ user: 'bob', team: 'risk', purpose: 'run', runId: 'run-7', serverId: null });
    // Assess
    expect(interactive).toEqual({ 'orrery:user': 'alice', 'orrery:team': 'ads', 'orrery:purpose': 'interactive' });
    expect(server).toEqual({ 'orrery:user': 'alice', 'orrery:purpose': 'server', 'orrery:server': 'srv-1' });
    expect(run).toEqual({
      'orrery:user': 'bob',
      'orrery:team': 'risk',
      'orrery:purpose': 'run',
      'orrery:run': 'run-7',
    });
  });

  it("keeps tag values to STS's characters and 256 characters", () => {
    // Act
    const tags = sessionTagsFor({ user: 'alice', team: `Data#Science!${'t'.repeat(300)}`, purpose: 'interactive' });
    // Assess
    for (const value of Object.values(tags)) expect(value).toMatch(TAG_VALUE);
    expect(tags['orrery:team']!.startsWith('Data_Science_')).toBe(true);
    expect(tags['orrery:team']).toHaveLength(256);
  });
});
