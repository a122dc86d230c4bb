import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../src/domain/errors.ts';
import { profileFor, profileOfRun, profilesFor, resolveResources, type Profile } from '../../../src/domain/profile.ts';
import type { User } from '../../../src/domain/user.ts';
import { thrown } from '../../support/rejection.ts';

const GI = 1024 ** 3;

const profile = (slug: string, teams: string[], over: Partial<Profile> = {}): Profile => ({
  slug,
  displayName: slug,
  description: '',
  pool: { kind: 'cpu-on-demand', nodeSelector: {}, tolerations: [] },
  image: 'quay.io/jupyter/scipy-notebook:2025-06-30',
  allowedImages: ['quay.io/jupyter/pyspark-notebook:2025-06-30'],
  cpu: { request: 1000, min: 500, limit: 2000 },
  memory: { request: 2 * GI, min: GI, limit: 4 * GI },
  gpus: 0,
  idleTimeoutSeconds: 3600,
  maxAgeSeconds: 43_200,
  hourlyPrice: 0.05,
  teams,
  spark: false,
  ...over,
});

// Registry order matters: the first entry belongs to another team, so "first allowed" is not "first".
const REGISTRY: Profile[] = [
  profile('risk-big', ['risk']),
  profile('everyone', ['*']),
  profile('ads-gpu', ['ads'], { gpus: 1 }),
  profile('shared', ['ads', 'risk']),
];

const user = (id: string, teams: string[], admin = false): User => ({ id, name: id, teams, admin });
const alice = user('alice', ['ads']);
const bob = user('bob', ['risk']);
const loner = user('loner', []);
const root = user('root', [], true);

const slugs = (ps: Profile[]) => ps.map((p) => p.slug);

describe('profilesFor', () => {
  it('gives a user the profiles of their teams and those open to everyone, in registry order', () => {
    // Prepare
    const registry = REGISTRY;
    // Act
    const forAlice = profilesFor(alice, registry);
    const forBob = profilesFor(bob, registry);
    // Assess
    expect(slugs(forAlice)).toEqual(['everyone', 'ads-gpu', 'shared']);
    expect(slugs(forBob)).toEqual(['risk-big', 'everyone', 'shared']);
  });

  it('gives a user with no team only the profiles open to everyone', () => {
    // Prepare
    const registry = REGISTRY;
    // Act
    const mine = profilesFor(loner, registry);
    // Assess
    expect(slugs(mine)).toEqual(['everyone']);
  });

  it('gives an admin every profile whatever their teams', () => {
    // Prepare
    const registry = REGISTRY;
    // Act
    const mine = profilesFor(root, registry);
    // Assess
    expect(slugs(mine)).toEqual(slugs(REGISTRY));
  });
});

describe('profileFor', () => {
  it('picks the first profile the user may use when no slug is named', () => {
    // Prepare
    const registry = REGISTRY;
    // Act
    const forAlice = profileFor(alice, registry, undefined);
    const forBob = profileFor(bob, registry, undefined);
    // Assess
    expect(forAlice.slug).toBe('everyone');
    expect(forBob.slug).toBe('risk-big');
  });

  it('finds a named profile the user may use', () => {
    // Prepare
    const registry = REGISTRY;
    // Act
    const found = profileFor(alice, registry, 'ads-gpu');
    // Assess
    expect(found).toBe(REGISTRY[2]);
  });

  it('refuses an unknown slug with a 400 that lists only the caller’s own slugs', () => {
    // Prepare
    const registry = REGISTRY;
    // Act
    const err = thrown(() => profileFor(alice, registry, 'nope', 'body.profile'));
    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    const message = (err as ValidationError).message;
    expect(message).toContain('everyone, ads-gpu, shared');
    expect(message).not.toContain('risk-big');
    expect((err as ValidationError).details).toEqual([{ path: 'body.profile', message: 'unknown profile' }]);
  });

  it('refuses another team’s slug exactly as it refuses an unknown one, so the registry does not leak', () => {
    // Prepare
    const registry = REGISTRY;
    // Act
    const foreign = thrown(() => profileFor(alice, registry, 'risk-big')) as ValidationError;
    const unknown = thrown(() => profileFor(alice, registry, 'zzzz-zzz')) as ValidationError;
    // Assess
    expect(foreign).toBeInstanceOf(ValidationError);
    expect(foreign.code).toBe(unknown.code);
    expect(foreign.details).toEqual(unknown.details);
    expect(foreign.message.replace('risk-big', '<slug>')).toBe(unknown.message.replace('zzzz-zzz', '<slug>'));
  });

  it('answers 404 when no profile at all is open to the user', () => {
    // Prepare
    const registry = [profile('risk-only', ['risk'])];
    // Act
    const withSlug = thrown(() => profileFor(alice, registry, 'risk-only'));
    const withoutSlug = thrown(() => profileFor(alice, registry, undefined));
    // Assess
    expect(withSlug).toBeInstanceOf(NotFoundError);
    expect(withoutSlug).toBeInstanceOf(NotFoundError);
    expect((withSlug as Error).message).not.toContain('risk-only');
  });
});

describe('profileOfRun', () => {
  it('finds the profile a run was started with, whoever may use it', () => {
    // Act
    const found = profileOfRun(REGISTRY, 'ads-gpu');

    // Assess
    expect(found).toBe(REGISTRY[2]);
  });

  it('refuses a profile removed since, saying so and naming only the profiles open to everyone', () => {
    // Act
    const err = thrown(() => profileOfRun(REGISTRY, 'gpu-t4'));

    // Assess
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe(
      "the run's profile 'gpu-t4' is no longer in the profile registry (removed since the run was started), " +
        'so it was not launched; rerun it with one that exists (profiles open to everyone: everyone; ' +
        'GET /profiles lists those your teams may use)',
    );
  });

  it('says when no profile is open to everyone rather than naming another team’s', () => {
    // Act
    const err = thrown(() => profileOfRun([profile('risk-only', ['risk'])], 'gone'));

    // Assess
    expect((err as Error).message).toContain('(no profile is open to everyone; GET /profiles lists those your teams');
    expect((err as Error).message).not.toContain('risk-only');
  });
});

describe('resolveResources', () => {
  const p = profile('everyone', ['*'], { gpus: 1 });

  it('gives the profile’s defaults when nothing is overridden', () => {
    // Prepare
    const overrides = {};
    // Act
    const resources = resolveResources(p, overrides);
    // Assess
    expect(resources).toEqual({
      image: p.image,
      cpuRequest: 1000,
      cpuLimit: 2000,
      memoryRequest: 2 * GI,
      memoryLimit: 4 * GI,
      gpus: 1,
    });
    expect(resolveResources(p)).toEqual(resources);
  });

  it('takes the profile’s own image or one of its allowed images', () => {
    // Prepare
    const allowed = p.allowedImages[0]!;
    // Act
    const own = resolveResources(p, { image: p.image });
    const other = resolveResources(p, { image: allowed });
    // Assess
    expect(own.image).toBe(p.image);
    expect(other.image).toBe(allowed);
  });

  it('refuses an image the profile does not allow, naming the ones it does', () => {
    // Prepare
    const overrides = { image: 'docker.io/evil/miner:latest' };
    // Act
    const err = thrown(() => resolveResources(p, overrides)) as ValidationError;
    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain(p.image);
    expect(err.message).toContain(p.allowedImages[0]);
    expect(err.details).toEqual([{ path: 'body.overrides.image', message: 'not an allowed image' }]);
  });

  it.each([
    ['500m', 500],
    ['1.5', 1500],
    ['2', 2000],
    [2, 2000],
  ] as const)('accepts a CPU request of %j within [min, limit]', (cpu, millis) => {
    // Prepare
    const overrides = { cpu };
    // Act
    const resources = resolveResources(p, overrides);
    // Assess
    expect(resources.cpuRequest).toBe(millis);
    expect(resources.cpuLimit).toBe(2000);
  });

  it.each(['499m', '100m', '2001m', '3', 4])(
    'refuses a CPU request of %j outside [min, limit], naming the bounds',
    (cpu) => {
      // Prepare
      const overrides = { cpu };
      // Act
      const err = thrown(() => resolveResources(p, overrides)) as ValidationError;
      // Assess
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain('between 500m and 2');
      expect(err.details?.[0]?.path).toBe('body.overrides.cpu');
    },
  );

  it.each([
    ['1Gi', GI],
    ['3Gi', 3 * GI],
    ['1536Mi', 1536 * 1024 ** 2],
    ['4Gi', 4 * GI],
  ] as const)('accepts a memory request of %j within [min, limit]', (memory, bytes) => {
    // Prepare
    const overrides = { memory };
    // Act
    const resources = resolveResources(p, overrides);
    // Assess
    expect(resources.memoryRequest).toBe(bytes);
    expect(resources.memoryLimit).toBe(4 * GI);
  });

  it.each(['512Mi', '8Gi', '5G', '4097Mi'])(
    'refuses a memory request of %j outside [min, limit], naming the bounds',
    (memory) => {
      // Prepare
      const overrides = { memory };
      // Act
      const err = thrown(() => resolveResources(p, overrides)) as ValidationError;
      // Assess
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain('between 1Gi and 4Gi');
      expect(err.details?.[0]?.path).toBe('body.overrides.memory');
    },
  );

  it.each([
    [{ cpu: 'lots' }, 'body.overrides.cpu'],
    [{ cpu: '0.0001' }, 'body.overrides.cpu'],
    [{ memory: '4GB' }, 'body.overrides.memory'],
    [{ memory: '-1Gi' }, 'body.overrides.memory'],
  ])('refuses %j as not a quantity at all', (overrides, path) => {
    // Prepare
    const input = overrides;
    // Act
    const err = thrown(() => resolveResources(p, input)) as ValidationError;
    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.details).toEqual([{ path, message: 'not a quantity' }]);
  });
});
