import { describe, expect, it } from 'vitest';
import { roundCents } from '../../../src/domain/money.ts';
import type { SparkPool } from '../../../src/domain/spark-session.ts';
import { DEFAULT_SPARK_RULES, sparkCost } from '../../../src/domain/spark-sizing.ts';
import { sparkCostSoFar } from '../../../src/domain/spark-usage.ts';

describe('roundCents', () => {
  it.each([
    [1.005, 1.01],
    [0.285, 0.29],
    [10.075, 10.08],
    [2.675, 2.68],
    [1234.565, 1234.57],
    [0.004, 0],
    [24.6, 24.6],
    [590.4, 590.4],
  ])('rounds %d to %d, half a cent up', (usd, cents) => {
    // Prepare, Act
    const rounded = roundCents(usd);
    // Assess
    expect(rounded).toBe(cents);
  });

  it('is what Spark costs are rounded with', () => {
    // Prepare: one core at $1.005 an hour; a session of $0.57 an hour for half an hour ($0.285).
    const pool: SparkPool = {
      name: 'p',
      image: 'x',
      allowedImages: [],
      nodeSelector: {},
      tolerations: [],
      pricePerCoreHour: 1.005,
    };
    const session = {
      createdAt: '2026-01-05T09:00:00.000Z',
      cost: { hourlyUsd: 0, maxHourlyUsd: 0.57, dailyMaxUsd: 13.68, highCost: false },
    };
    // Act
    const cost = sparkCost(
      { cores: 1, memoryGb: 7 },
      { maxExecutors: 1, initialExecutors: 1 },
      pool,
      DEFAULT_SPARK_RULES,
    );
    const soFar = sparkCostSoFar(session, new Date('2026-01-05T09:30:00.000Z'));
    // Assess
    expect(cost.maxHourlyUsd).toBe(1.01);
    expect(soFar).toBe(0.29);
  });
});
