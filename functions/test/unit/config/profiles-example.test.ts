import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfiles } from '../../../src/config/profiles-config.ts';

describe('the example profile registry in config/', () => {
  it('parses, so the file the README points at is a working start', () => {
    // Prepare
    const file = join(import.meta.dirname, '..', '..', '..', '..', 'config', 'profiles.example.yaml');
    // Act
    const profiles = parseProfiles(readFileSync(file, 'utf8'), file);
    // Assess
    expect(profiles.map((p) => p.slug)).toEqual(['cpu-small', 'gpu-t4', 'pyspark']);
    expect(profiles[1]).toMatchObject({
      gpus: 1,
      teams: ['ml', 'ads'],
      cpu: { request: 4000, min: 4000, limit: 4000 },
      memory: { limit: 16 * 1024 ** 3 },
      home: { storageClass: 'orrery-gp3', size: 50 * 1024 ** 3 },
    });
    expect(profiles.map((p) => p.spark)).toEqual([false, false, true]);
  });
});
