import { describe, expect, it } from 'vitest';
import { lastActivityOf, type ActivityReport } from '../../../src/domain/activity.ts';
import { FakeClock } from '../../support/fakes.ts';

const MIN = 60_000;

describe('lastActivityOf', () => {
  const clock = new FakeClock(new Date('2026-01-05T09:00:00.000Z'));
  const ago = (ms: number) => new Date(clock.now().getTime() - ms).toISOString();
  const report = (over: Partial<ActivityReport> = {}): ActivityReport => ({
    kernels: [],
    jupyterReachable: true,
    ...over,
  });

  it('takes a busy kernel as activity now, however old the other times are', () => {
    // Prepare
    const r = report({
      lastActivity: ago(3 * 60 * MIN),
      kernels: [
        { executionState: 'idle', lastActivity: ago(60 * MIN) },
        { executionState: 'busy', lastActivity: ago(120 * MIN) },
      ],
    });
    // Act
    const seen = lastActivityOf(r, clock.now());
    // Assess
    expect(seen).toEqual(clock.now());
  });

  it('ignores kernels still starting, even with a recent time', () => {
    // Prepare
    const r = report({
      lastActivity: ago(90 * MIN),
      kernels: [
        { executionState: 'starting', lastActivity: ago(1000) },
        { executionState: 'idle', lastActivity: ago(60 * MIN) },
      ],
    });
    // Act
    const seen = lastActivityOf(r, clock.now());
    // Assess
    expect(seen).toEqual(new Date(ago(60 * MIN)));
  });

  it('answers null when the only kernel is starting and nothing else is known', () => {
    // Prepare
    const r = report({ kernels: [{ executionState: 'starting', lastActivity: ago(1000) }] });
    // Act
    const seen = lastActivityOf(r, clock.now());
    // Assess
    expect(seen).toBeNull();
  });

  it('takes the newest of the status time and the kernels’ times', () => {
    // Prepare
    const fromStatus = report({
      lastActivity: ago(5 * MIN),
      kernels: [{ executionState: 'idle', lastActivity: ago(50 * MIN) }],
    });
    const fromKernel = report({
      lastActivity: ago(50 * MIN),
      kernels: [
        { executionState: 'idle', lastActivity: ago(70 * MIN) },
        { executionState: 'idle', lastActivity: ago(7 * MIN) },
      ],
    });
    // Act
    const a = lastActivityOf(fromStatus, clock.now());
    const b = lastActivityOf(fromKernel, clock.now());
    // Assess
    expect(a).toEqual(new Date(ago(5 * MIN)));
    expect(b).toEqual(new Date(ago(7 * MIN)));
  });

  it('skips times it cannot read instead of failing or answering NaN', () => {
    // Prepare
    const r = report({
      lastActivity: 'yesterday',
      kernels: [
        { executionState: 'idle', lastActivity: '' },
        { executionState: 'idle' },
        { executionState: 'idle', lastActivity: ago(3 * MIN) },
      ],
    });
    // Act
    const seen = lastActivityOf(r, clock.now());
    // Assess
    expect(seen).toEqual(new Date(ago(3 * MIN)));
  });

  it('caps a time from a clock ahead of ours at now', () => {
    // Prepare
    const future = new Date(clock.now().getTime() + 24 * 60 * MIN).toISOString();
    const r = report({ lastActivity: future, kernels: [{ executionState: 'idle', lastActivity: future }] });
    // Act
    const seen = lastActivityOf(r, clock.now());
    // Assess
    expect(seen).toEqual(clock.now());
  });

  it('answers null when the report shows nothing at all', () => {
    // Prepare
    const r = report();
    // Act
    const seen = lastActivityOf(r, clock.now());
    // Assess
    expect(seen).toBeNull();
  });
});
