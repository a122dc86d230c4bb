import { describe, expect, it } from 'vitest';
import { hourlyCostOf, usageByPool } from '../../../src/domain/pool-usage.ts';
import { DEFAULT_PROFILES } from '../../../src/config/profiles-config.ts';

const poolOf = (slug: string) => DEFAULT_PROFILES.find((p) => p.slug === slug)!.pool.kind;

describe('usageByPool', () => {
  it('counts servers and sums their prices by profile pool, every pool of the registry included, unknown profiles apart', () => {
    // Prepare
    const servers = [
      { profile: 'cpu-small', hourlyPrice: 0.1 },
      { profile: 'cpu-small', hourlyPrice: 0.2 },
      { profile: 'gpu-t4', hourlyPrice: 0.75 },
      { profile: 'retired-profile', hourlyPrice: 1 },
    ];

    // Act
    const usage = usageByPool(servers, DEFAULT_PROFILES);

    // Assess
    const byPool = Object.fromEntries(usage.map((u) => [u.pool, [u.activeServers, u.hourlyCost]]));
    expect(byPool).toEqual({
      [poolOf('cpu-small')]: [2, 0.3],
      [poolOf('cpu-large-spot')]: [0, 0],
      [poolOf('gpu-t4')]: [1, 0.75],
      unknown: [1, 1],
    });
    expect(usage.map((u) => u.pool)).toEqual([...usage.map((u) => u.pool)].sort());
  });

  it('sums prices without binary floating-point drift', () => {
    // Prepare
    const servers = Array.from({ length: 10 }, () => ({ hourlyPrice: 0.1 }));

    // Act
    const total = hourlyCostOf(servers);

    // Assess
    expect(total).toBe(1);
  });
});
