import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RandomIds } from '../../../src/adapters/system/random-ids.ts';
import { ValidationError } from '../../../src/domain/errors.ts';
import {
  checkServerName,
  hashServerToken,
  makeServerToken,
  parseServerToken,
  safeSlug,
  serverIdFor,
} from '../../../src/domain/server.ts';

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

// Owners are IdP subjects (letters, digits, `._@-`, up to 128), names are slugs; plus some that should never get here.
const OWNERS = [
  'alice',
  'Alice',
  'ALICE',
  'a.b',
  'a-b',
  'a_b',
  'a',
  'a--b',
  'alice@example.com',
  'alice-example-com',
  '0042',
  'x',
  '...',
  '',
  'Ωmega',
  `u${'z'.repeat(127)}`,
  `u${'z'.repeat(126)}y`,
  'b--c',
];
const NAMES = ['lab', 'c', 'b--c', 'b', 'x', 'default', '0', 'my-lab-2', 'a'.repeat(32), `${'a'.repeat(31)}b`, ''];

describe('checkServerName', () => {
  it.each(['a', '0', 'lab', 'my-lab-2', 'a--b', 'a'.repeat(32), `9${'x'.repeat(30)}9`])(
    'accepts the slug %j and returns it',
    (name) => {
      // Prepare
      const input = name;
      // Act
      const checked = checkServerName(input);
      // Assess
      expect(checked).toBe(name);
    },
  );

  it.each(['', 'Lab', 'LAB', '-lab', 'lab-', '-', 'a'.repeat(33), '../x', 'a/b', 'a.b', 'a b', 'a_b', 'lab\n', 'ünï'])(
    'refuses %j with a 400 at the path given',
    (name) => {
      // Prepare
      const path = 'params.name';
      // Act
      const act = () => checkServerName(name, path);
      // Assess
      expect(act).toThrow(ValidationError);
      try {
        act();
      } catch (err) {
        expect((err as ValidationError).details).toEqual([{ path, message: 'not a slug' }]);
      }
    },
  );
});

describe('safeSlug and serverIdFor', () => {
  const pairs = OWNERS.flatMap((owner) => NAMES.map((name) => [owner, name] as const));

  it('always makes a DNS-1035 label of at most 63 characters', () => {
    // Prepare
    const inputs = pairs;
    // Act
    const ids = inputs.map(([owner, name]) => serverIdFor(owner, name));
    // Assess
    expect(ids.filter((id) => id.length > 63 || !DNS_1035.test(id))).toEqual([]);
  });

  it('keeps to a shorter limit and another prefix when asked', () => {
    // Prepare
    const inputs = pairs;
    // Act
    const slugs = inputs.map(([owner, name]) => safeSlug('run', [owner, name, 'x'.repeat(40)], 40));
    // Assess
    expect(slugs.filter((s) => s.length > 40 || !DNS_1035.test(s) || !s.startsWith('run-'))).toEqual([]);
  });

  it('gives the same id for the same owner and name every time', () => {
    // Prepare
    const inputs = pairs;
    // Act
    const first = inputs.map(([owner, name]) => serverIdFor(owner, name));
    const second = inputs.map(([owner, name]) => serverIdFor(owner, name));
    // Assess
    expect(second).toEqual(first);
  });

  it('keeps the ids of existing servers: the scheme is pinned, since pods and records are named by it', () => {
    // Prepare
    const owner = 'alice';
    const name = 'lab';
    // Act
    const id = serverIdFor(owner, name);
    // Assess
    expect(id).toBe('jupyter-alice--lab-27ad1cd5');
  });

  it.each([
    [
      ['a.b', 'c'],
      ['a-b', 'c'],
    ],
    [
      ['a', 'b--c'],
      ['a--b', 'c'],
    ],
    [
      ['Alice', 'lab'],
      ['alice', 'lab'],
    ],
    [
      ['alice@example.com', 'lab'],
      ['alice-example-com', 'lab'],
    ],
    [
      ['...', 'lab'],
      ['x', 'lab'],
    ],
    [
      [`u${'z'.repeat(127)}`, 'lab'],
      [`u${'z'.repeat(126)}y`, 'lab'],
    ],
    [
      ['alice', 'a'.repeat(32)],
      ['alice', `${'a'.repeat(31)}b`],
    ],
  ])('never gives %j and %j the same id, though they clean to the same text', (left, right) => {
    // Prepare
    const [a, b] = [left, right] as [[string, string], [string, string]];
    // Act
    const ids = [serverIdFor(...a), serverIdFor(...b)];
    // Assess
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('gives every distinct (owner, name) pair its own id', () => {
    // Prepare
    const inputs = pairs;
    // Act
    const ids = new Set(inputs.map(([owner, name]) => serverIdFor(owner, name)));
    // Assess
    expect(ids.size).toBe(inputs.length);
  });
});

describe('server tokens', () => {
  const ids = new RandomIds();

  it('reads back the server and launch of every token it makes', () => {
    // Prepare
    const made = Array.from({ length: 200 }, (_, i) => ({
      serverId: serverIdFor(OWNERS[i % OWNERS.length]!, NAMES[i % NAMES.length]!),
      launchId: ids.next('launch'),
      secret: ids.secret(),
    }));
    // Act
    const parsed = made.map((m) => parseServerToken(makeServerToken(m.serverId, m.launchId, m.secret)));
    // Assess
    expect(parsed).toEqual(made.map(({ serverId, launchId }) => ({ serverId, launchId })));
  });

  it.each([
    ['an empty string', ''],
    ['another scheme', `osv2.jupyter-alice--lab-27ad1cd5.launch-1.${'A'.repeat(43)}`],
    ['a short secret', `osv1.jupyter-alice--lab-27ad1cd5.launch-1.${'A'.repeat(31)}`],
    ['a secret with a dot', `osv1.jupyter-alice--lab-27ad1cd5.launch-1.${'A'.repeat(20)}.${'A'.repeat(20)}`],
    ['a secret in plain base64', `osv1.jupyter-alice--lab-27ad1cd5.launch-1.${'A+/'.repeat(15)}`],
    ['no launch', `osv1.jupyter-alice--lab-27ad1cd5.${'A'.repeat(43)}`],
    ['an uppercase server id', `osv1.Jupyter-alice--lab-27ad1cd5.launch-1.${'A'.repeat(43)}`],
    ['a server id with a slash', `osv1.jupyter/../x.launch-1.${'A'.repeat(43)}`],
    ['a server id too long for a label', `osv1.j${'x'.repeat(63)}.launch-1.${'A'.repeat(43)}`],
    ['a bearer JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU'],
    ['trailing junk', `osv1.jupyter-alice--lab-27ad1cd5.launch-1.${'A'.repeat(43)} x`],
  ])('refuses %s', (_what, token) => {
    // Prepare
    const input = token;
    // Act
    const parsed = parseServerToken(input);
    // Assess
    expect(parsed).toBeNull();
  });

  it('stores a token as its sha256 in hex, different for tokens that differ in one character', () => {
    // Prepare
    const token = makeServerToken('jupyter-alice--lab-27ad1cd5', 'launch-1', 'A'.repeat(43));
    const tampered = makeServerToken('jupyter-alice--lab-27ad1cd5', 'launch-1', `${'A'.repeat(42)}B`);
    // Act
    const hash = hashServerToken(token);
    // Assess
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(createHash('sha256').update(token, 'utf8').digest('hex'));
    expect(hash).not.toContain(token);
    expect(hashServerToken(tampered)).not.toBe(hash);
  });
});
