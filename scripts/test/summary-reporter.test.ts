import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import { SummaryReporter } from './summary-reporter.ts';

const moduleWith = (state: 'passed' | 'failed', tests: Array<'passed' | 'failed' | 'skipped'>) =>
  ({
    state: () => state,
    children: { allTests: () => tests.map((t) => ({ result: () => ({ state: t }) })) },
  }) as unknown as TestModule;

const lineFor = (modules: TestModule[], errors: unknown[] = []) => {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  new SummaryReporter().onTestRunEnd(modules, errors);
  return String(write.mock.calls.at(-1)?.[0]).trim();
};

afterEach(() => vi.restoreAllMocks());

describe('SummaryReporter', () => {
  it('counts passed, failed and skipped tests across files', () => {
    // Prepare
    const modules = [moduleWith('passed', ['passed', 'skipped']), moduleWith('failed', ['passed', 'failed'])];
    // Act
    const line = lineFor(modules);
    // Assess
    expect(line).toBe('2 passed, 1 failed, 1 skipped');
  });

  it('counts a file whose setup failed as a failure even though its tests were only skipped', () => {
    // Prepare
    const modules = [moduleWith('failed', ['skipped', 'skipped']), moduleWith('failed', [])];
    // Act
    const line = lineFor(modules);
    // Assess
    expect(line).toBe('0 passed, 2 failed, 2 skipped');
  });

  it('counts unhandled errors of the run as failures', () => {
    // Prepare
    const modules = [moduleWith('passed', ['passed'])];
    // Act
    const line = lineFor(modules, [new Error('unhandled rejection')]);
    // Assess
    expect(line).toBe('1 passed, 1 failed, 0 skipped');
  });
});
