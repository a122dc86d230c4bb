import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES, loadProfiles, parseProfiles } from '../../../src/config/profiles-config.ts';
import { homeVolumeOf } from '../../../src/domain/profile.ts';
import { thrownMessage } from '../../support/rejection.ts';

const GI = 1024 ** 3;

const YAML = `
- slug: team-cpu
  displayName: Team CPU
  pool:
    kind: cpu-on-demand
    nodeSelector: { orrery.dev/pool: cpu-on-demand }
  image: quay.io/jupyter/scipy-notebook:2025-06-30
  cpu: { request: 500m, limit: 2 }
  memory: { request: 2Gi, min: 1Gi, limit: 4Gi }
  idleTimeoutSeconds: 3600
  maxAgeSeconds: 43200
  hourlyPrice: 0.05
  teams: [ads]
- slug: gpu
  displayName: GPU
  description: one T4
  pool:
    kind: gpu
    tolerations:
      - { key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }
  image: quay.io/jupyter/pytorch-notebook:cuda12-2025-06-30
  allowedImages: [quay.io/jupyter/tensorflow-notebook:cuda-2025-06-30]
  cpu: { request: 4 }
  memory: { request: 16Gi }
  gpus: 1
  idleTimeoutSeconds: 1800
  maxAgeSeconds: 28800
  hourlyPrice: 0.53
  teams: ['*']
`;

// One valid entry as JSON; tests break one field at a time.
const entry = (over: Record<string, unknown> = {}) => ({
  slug: 'small',
  displayName: 'Small',
  pool: { kind: 'cpu-spot' },
  image: 'img:1',
  cpu: { request: '1', min: '500m', limit: '2' },
  memory: { request: '2Gi' },
  idleTimeoutSeconds: 600,
  maxAgeSeconds: 3600,
  hourlyPrice: 0.01,
  teams: ['*'],
  ...over,
});

describe('parseProfiles', () => {
  it('reads a YAML registry, filling in the defaults', () => {
    // Prepare
    const text = YAML;
    // Act
    const [cpu, gpu] = parseProfiles(text, 'profiles.yaml');
    // Assess
    expect(cpu).toEqual({
      slug: 'team-cpu',
      displayName: 'Team CPU',
      description: '',
      pool: { kind: 'cpu-on-demand', nodeSelector: { 'orrery.dev/pool': 'cpu-on-demand' }, tolerations: [] },
      image: 'quay.io/jupyter/scipy-notebook:2025-06-30',
      allowedImages: [],
      cpu: { request: 500, min: 500, limit: 2000 },
      memory: { request: 2 * GI, min: GI, limit: 4 * GI },
      gpus: 0,
      idleTimeoutSeconds: 3600,
      maxAgeSeconds: 43_200,
      hourlyPrice: 0.05,
      teams: ['ads'],
      spark: false,
    });
    expect(gpu).toMatchObject({
      slug: 'gpu',
      description: 'one T4',
      gpus: 1,
      teams: ['*'],
      pool: {
        kind: 'gpu',
        nodeSelector: {},
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      },
      cpu: { request: 4000, min: 4000, limit: 4000 },
      memory: { request: 16 * GI, min: 16 * GI, limit: 16 * GI },
    });
  });

  it('reads the same registry written as JSON to the same profiles', () => {
    // Prepare
    const fromYaml = parseProfiles(YAML, 'profiles.yaml');
    const json = JSON.stringify([entry(), entry({ slug: 'other', cpu: { request: 0.5, limit: 1 } })]);
    // Act
    const fromJson = parseProfiles(json, 'ORRERY_PROFILES');
    const roundTrip = parseProfiles(
      JSON.stringify(
        fromYaml.map((p) => ({
          ...p,
          cpu: { request: `${p.cpu.request}m`, min: `${p.cpu.min}m`, limit: `${p.cpu.limit}m` },
        })),
      ),
      'x.json',
    );
    // Assess
    expect(fromJson.map((p) => [p.slug, p.cpu])).toEqual([
      ['small', { request: 1000, min: 500, limit: 2000 }],
      ['other', { request: 500, min: 500, limit: 1000 }],
    ]);
    expect(roundTrip).toEqual(fromYaml);
  });

  it.each([
    ['cpu min above request', entry({ cpu: { request: '1', min: '2', limit: '4' } }), '0.cpu'],
    ['memory request above limit', entry({ memory: { request: '8Gi', limit: '4Gi' } }), '0.memory'],
  ])('refuses %s, naming where', (_what, bad, path) => {
    // Prepare
    const text = JSON.stringify([bad]);
    // Act
    const message = thrownMessage(() => parseProfiles(text, 'profiles.json'));
    // Assess
    expect(message).toContain('profiles.json');
    expect(message).toContain(`${path}: needs min ≤ request ≤ limit`);
  });

  it('reads a profile’s home volume, filling what it leaves out, and gives none to a profile that names none', () => {
    // Prepare
    const text = JSON.stringify([
      entry({ slug: 'big-home', home: { size: '50Gi' } }),
      entry({ slug: 'own-class', home: { storageClass: 'fast-io2', size: '5Gi' } }),
      entry({ slug: 'plain' }),
    ]);
    // Act
    const [big, own, plain] = parseProfiles(text, 'profiles.json');
    // Assess
    expect(big!.home).toEqual({ storageClass: 'orrery-gp3', size: 50 * 1024 ** 3 });
    expect(own!.home).toEqual({ storageClass: 'fast-io2', size: 5 * 1024 ** 3 });
    expect(plain!.home).toBeUndefined();
    expect(homeVolumeOf(plain!)).toEqual({ storageClass: 'orrery-gp3', size: 10 * 1024 ** 3 });
  });

  it('refuses a home whose size is no quantity or whose class is no StorageClass name, naming the field', () => {
    // Prepare
    const text = JSON.stringify([entry({ home: { storageClass: 'Fast IO', size: 'big' } })]);
    // Act
    const message = thrownMessage(() => parseProfiles(text, 'profiles.json'));
    // Assess
    expect(message).toContain('0.home.storageClass: a StorageClass name');
    expect(message).toContain("0.home.size: 'big' is not a memory quantity");
  });

  it('refuses two profiles with one slug', () => {
    // Prepare
    const text = JSON.stringify([entry(), entry({ displayName: 'Again' })]);
    // Act
    const message = thrownMessage(() => parseProfiles(text, 'profiles.json'));
    // Assess
    expect(message).toMatch(/slugs must be unique/);
  });

  it.each([
    ['a CPU quantity', entry({ cpu: { request: 'lots' } }), "1.cpu.request: 'lots' is not a CPU quantity"],
    ['a memory quantity', entry({ memory: { request: '2GB' } }), "1.memory.request: '2GB' is not a memory quantity"],
    [
      'a limit quantity',
      entry({ memory: { request: '2Gi', limit: '-1' } }),
      "1.memory.limit: '-1' is not a memory quantity",
    ],
  ])('refuses a bad %s, naming the entry and field', (_what, bad, expected) => {
    // Prepare
    const text = JSON.stringify([entry({ slug: 'fine' }), bad]);
    // Act
    const message = thrownMessage(() => parseProfiles(text, 'profiles.json'));
    // Assess
    expect(message).toContain(expected);
  });

  it.each([
    ['text that is not YAML', '- [unclosed', 'is not YAML or JSON'],
    ['an empty list', '[]', 'at least one'],
    ['a slug that is not a slug', JSON.stringify([entry({ slug: 'Big CPU' })]), '0.slug'],
    ['a profile no team may use', JSON.stringify([entry({ teams: [] })]), '0.teams'],
    ['an unknown pool kind', JSON.stringify([entry({ pool: { kind: 'tpu' } })]), '0.pool.kind'],
    ['a map instead of a list', 'small: {}', '(top)'],
  ])('refuses %s', (_what, text, expected) => {
    // Prepare
    const source = 'profiles.yaml';
    // Act
    const message = thrownMessage(() => parseProfiles(text, source));
    // Assess
    expect(message).toContain('configuration: profiles.yaml');
    expect(message).toContain(expected);
  });
});

describe('DEFAULT_PROFILES', () => {
  it('has four profiles, one of them a GPU profile that tolerates the GPU nodes’ taint', () => {
    // Prepare
    const profiles = DEFAULT_PROFILES;
    // Act
    const gpu = profiles.filter((p) => p.gpus > 0);
    // Assess
    expect(profiles).toHaveLength(4);
    expect(gpu).toHaveLength(1);
    expect(gpu[0]!.pool.kind).toBe('gpu');
    expect(gpu[0]!.pool.tolerations).toContainEqual(
      expect.objectContaining({ key: 'nvidia.com/gpu', effect: 'NoSchedule' }),
    );
  });

  it('keeps every default within its own bounds and open to everyone', () => {
    // Prepare
    const profiles = DEFAULT_PROFILES;
    // Act
    const out = profiles.filter(
      (p) =>
        !(
          p.cpu.min <= p.cpu.request &&
          p.cpu.request <= p.cpu.limit &&
          p.memory.min <= p.memory.request &&
          p.memory.request <= p.memory.limit
        ),
    );
    // Assess
    expect(out).toEqual([]);
    expect(new Set(profiles.map((p) => p.slug)).size).toBe(4);
    expect(profiles.every((p) => p.teams.includes('*'))).toBe(true);
  });

  it('marks only the pyspark profile as one whose servers may start Spark, on the PySpark image', () => {
    // Prepare
    const profiles = DEFAULT_PROFILES;
    // Act
    const spark = profiles.filter((p) => p.spark);
    // Assess
    expect(spark).toMatchObject([
      { slug: 'pyspark', image: 'quay.io/jupyter/pyspark-notebook:2025-06-30', pool: { kind: 'cpu-on-demand' } },
    ]);
  });
});

describe('loadProfiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-profiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file when one is named, in preference to inline text', () => {
    // Prepare
    const file = join(dir, 'profiles.yaml');
    writeFileSync(file, YAML);
    // Act
    const profiles = loadProfiles(file, JSON.stringify([entry()]));
    // Assess
    expect(profiles.map((p) => p.slug)).toEqual(['team-cpu', 'gpu']);
  });

  it('reads inline text when no file is named, and names it in errors', () => {
    // Prepare
    const inline = JSON.stringify([entry()]);
    // Act
    const profiles = loadProfiles(undefined, inline);
    const message = thrownMessage(() => loadProfiles(undefined, '[]'));
    // Assess
    expect(profiles.map((p) => p.slug)).toEqual(['small']);
    expect(message).toContain('ORRERY_PROFILES');
  });

  it('falls back to the default registry when neither is given', () => {
    // Prepare
    const none = undefined;
    // Act
    const profiles = loadProfiles(none, none);
    // Assess
    expect(profiles).toBe(DEFAULT_PROFILES);
  });

  it('names the file when its registry is bad', () => {
    // Prepare
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, JSON.stringify([entry({ cpu: { request: 'lots' } })]));
    // Act
    const message = thrownMessage(() => loadProfiles(file, undefined));
    // Assess
    expect(message).toContain(file);
    expect(message).toContain('0.cpu.request');
  });
});
