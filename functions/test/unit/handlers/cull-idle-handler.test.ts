import { describe, expect, it } from 'vitest';
import { makeCullHandler } from '../../../src/handlers/scheduled/cull-idle-handler.ts';
import type { EmitMetrics, MetricDimensions, MetricUnit } from '../../../src/observability/metrics.ts';
import { DEFAULT_PROFILES } from '../../../src/config/profiles-config.ts';
import { MemoryNotebookStore } from '../../../src/adapters/memory/memory-notebook-store.ts';
import type { ServerSettings } from '../../../src/use-cases/server-deps.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import { busy, minutes, runningServer } from '../../support/server-scenarios.ts';
import { reportActivity } from '../../../src/use-cases/report-activity.ts';

const cullerDeps = (over: Partial<ServerSettings> = {}) => ({
  ...memoryServerDeps(over),
  notebooks: new MemoryNotebookStore(),
});

const recorder = () => {
  const emitted: {
    dimensions: MetricDimensions;
    values: Record<string, number>;
    units?: Partial<Record<string, MetricUnit>>;
  }[] = [];
  const emit: EmitMetrics = (dimensions, values, units) =>
    void emitted.push({ dimensions, values, ...(units ? { units } : {}) });
  return { emitted, emit };
};
const poolOf = (slug: string) => DEFAULT_PROFILES.find((p) => p.slug === slug)!.pool.kind;

describe('the culler’s scheduled handler', () => {
  it('publishes the active servers of each pool that has any, and no zero counts of a sweep that did nothing', async () => {
    // Prepare
    const deps = cullerDeps();
    const { emitted, emit } = recorder();
    await runningServer(deps, people.alice, 'lab');
    await runningServer(deps, people.bob, 'lab');

    // Act
    const sweep = await makeCullHandler(deps, emit)();

    // Assess
    expect(sweep).toMatchObject({ stopped: 0, problems: [] });
    expect(emitted).toEqual([{ dimensions: { Pool: poolOf('cpu-small') }, values: { ActiveServers: 2 } }]);
  });

  it('publishes only the counts above zero: a warning sweep says CullWarnings alone', async () => {
    // Prepare: silent past the heartbeat limit (30 min), so the sweep warns it
    const deps = cullerDeps();
    const { emitted, emit } = recorder();
    await runningServer(deps);
    deps.clock.advance(minutes(31));

    // Act
    const sweep = await makeCullHandler(deps, emit)();

    // Assess
    expect(sweep.warned).toBe(1);
    expect(emitted[0]).toEqual({ dimensions: {}, values: { CullWarnings: 1 } });
  });

  it('publishes nothing at all on an idle platform (CloudWatch bills a metric for each hour it gets a value)', async () => {
    // Prepare
    const deps = cullerDeps();
    const { emitted, emit } = recorder();

    // Act
    await makeCullHandler(deps, emit)();

    // Assess
    expect(emitted).toEqual([]);
  });

  it('does not count the servers the sweep stopped', async () => {
    // Prepare
    const deps = cullerDeps();
    const { emitted, emit } = recorder();
    await runningServer(deps);
    // Silent past the heartbeat limit (30 min): a sweep warns it, and one past the warning time stops it.
    deps.clock.advance(minutes(31));
    await makeCullHandler(deps, () => undefined)();
    deps.clock.advance(minutes(15));

    // Act
    const sweep = await makeCullHandler(deps, emit)();

    // Assess
    expect(sweep.stopped).toBe(1);
    expect(emitted).toEqual([{ dimensions: {}, values: { Culls: 1 } }]);
  });

  it('emits CullBreakerTripped, without dimensions, when most running servers miss their heartbeat, and culls none of them', async () => {
    // Prepare: ten servers; two report, eight are silent past the heartbeat limit.
    const deps = cullerDeps({ limitPerUser: 20 });
    const { emitted, emit } = recorder();
    const servers = [];
    for (let i = 0; i < 10; i += 1) servers.push(await runningServer(deps, people.alice, `lab-${i}`));
    deps.clock.advance(minutes(25));
    for (const s of servers.slice(8)) await reportActivity(deps, { name: s.name, token: s.token, report: busy });
    deps.clock.advance(minutes(6));

    // Act
    const sweep = await makeCullHandler(deps, emit)();

    // Assess
    expect(sweep).toMatchObject({
      warned: 0,
      stopped: 0,
      breaker: { running: 10, silent: 8, tripped: true, heldBackWarnings: 8 },
    });
    expect(emitted).toContainEqual({
      dimensions: {},
      values: { CullBreakerTripped: 1 },
      units: { CullBreakerTripped: 'Count' },
    });
    expect(deps.notifier.notices).toEqual([]);
  });

  it('emits no CullBreakerTripped when a few servers miss their heartbeat, and warns those', async () => {
    // Prepare: ten servers; nine report, one is silent.
    const deps = cullerDeps({ limitPerUser: 20 });
    const { emitted, emit } = recorder();
    const servers = [];
    for (let i = 0; i < 10; i += 1) servers.push(await runningServer(deps, people.alice, `lab-${i}`));
    deps.clock.advance(minutes(25));
    for (const s of servers.slice(1)) await reportActivity(deps, { name: s.name, token: s.token, report: busy });
    deps.clock.advance(minutes(6));

    // Act
    const sweep = await makeCullHandler(deps, emit)();

    // Assess
    expect(sweep).toMatchObject({ warned: 1, breaker: { running: 10, silent: 1, tripped: false } });
    expect(emitted.filter((e) => 'CullBreakerTripped' in e.values)).toEqual([]);
  });

  it('still returns the sweep when the active servers cannot be counted', async () => {
    // Prepare
    const deps = cullerDeps();
    const { emitted, emit } = recorder();
    deps.servers.listActiveServers = async () => {
      throw new Error('throttled');
    };

    // Act
    const sweep = await makeCullHandler(deps, emit)();

    // Assess
    expect(sweep.problems).toEqual([]);
    expect(emitted.filter((e) => 'ActiveServers' in e.values)).toEqual([]);
  });

  it('advances the notebooks’ indexing a step per sweep, and a step that fails does not fail the sweep', async () => {
    const deps = cullerDeps();
    const steps: number[] = [];
    deps.notebooks.advanceIndexing = async (batch: number) => {
      steps.push(batch);
      if (steps.length === 2) throw new Error('table busy');
      return { done: false, indexed: 3 };
    };
    await makeCullHandler(deps, () => undefined)();
    const sweep = await makeCullHandler(deps, () => undefined)();
    expect(steps).toEqual([1000, 1000]);
    expect(sweep.problems).toEqual([]);
  });
});
