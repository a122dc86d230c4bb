import { describe, expect, it } from 'vitest';
import { makeCullHandler } from '../../../src/handlers/scheduled/cull-idle-handler.ts';
import type { MetricDimensions } from '../../../src/shared/metrics.ts';
import { DEFAULT_PROFILES } from '../../../src/shared/profiles-config.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import { minutes, runningServer } from '../../support/server-scenarios.ts';

const recorder = () => {
  const emitted: { dimensions: MetricDimensions; values: Record<string, number> }[] = [];
  return { emitted, emit: (dimensions: MetricDimensions, values: Record<string, number>) => void emitted.push({ dimensions, values }) };
};
const poolOf = (slug: string) => DEFAULT_PROFILES.find((p) => p.slug === slug)!.pool.kind;

describe('the culler’s scheduled handler', () => {
  it('publishes the sweep’s counts, then the active servers per pool after the sweep', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { emitted, emit } = recorder();
    await runningServer(deps, people.alice, 'lab');
    await runningServer(deps, people.bob, 'lab');

    // Act
    const sweep = await makeCullHandler(deps, emit)();

    // Assess
    expect(sweep).toMatchObject({ stopped: 0, problems: [] });
    expect(emitted[0]).toEqual({ dimensions: {}, values: { Culls: 0, CullWarnings: 0, CullProblems: 0 } });
    expect(emitted.slice(1)).toEqual(expect.arrayContaining([{ dimensions: { Pool: poolOf('cpu-small') }, values: { ActiveServers: 2 } }, { dimensions: { Pool: poolOf('gpu-t4') }, values: { ActiveServers: 0 } }]));
  });

  it('does not count the servers the sweep stopped', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { emitted, emit } = recorder();
    await runningServer(deps);
    // Silent past the heartbeat limit (30 min): the sweep stops it without a warning.
    deps.clock.advance(minutes(31));

    // Act
    const sweep = await makeCullHandler(deps, emit)();

    // Assess
    expect(sweep.stopped).toBe(1);
    expect(emitted.find((e) => e.dimensions.Pool === poolOf('cpu-small'))?.values).toEqual({ ActiveServers: 0 });
  });

  it('still returns the sweep when the active servers cannot be counted', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { emitted, emit } = recorder();
    deps.servers.listActiveServers = async () => { throw new Error('throttled'); };

    // Act
    const sweep = await makeCullHandler(deps, emit)();

    // Assess
    expect(sweep.problems).toEqual([]);
    expect(emitted.filter((e) => 'ActiveServers' in e.values)).toEqual([]);
  });
});
