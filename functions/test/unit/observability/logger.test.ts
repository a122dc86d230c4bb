import { afterEach, describe, expect, it, vi } from 'vitest';
import { log } from '../../../src/observability/logger.ts';
import { emitMetrics } from '../../../src/observability/metrics.ts';
import { configureObservability } from '../../../src/observability/settings.ts';

describe('the logger and metrics', () => {
  const level = process.env.ORRERY_LOG_LEVEL;
  afterEach(() => {
    if (level === undefined) delete process.env.ORRERY_LOG_LEVEL;
    else process.env.ORRERY_LOG_LEVEL = level;
    configureObservability({ logLevel: 'silent' });
    vi.restoreAllMocks();
  });

  it('follow the level their entry configures, whatever process.env says', () => {
    // Prepare
    process.env.ORRERY_LOG_LEVEL = 'silent';
    configureObservability({ logLevel: 'info' });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act
    log('info', 'request', { status: 200 });
    emitMetrics({}, { RunsStarted: 1 });

    // Assess
    expect(out).toHaveBeenCalledTimes(2);
    expect(JSON.parse(String(out.mock.calls[0]![0]))).toMatchObject({ level: 'info', message: 'request', status: 200 });
    expect(JSON.parse(String(out.mock.calls[1]![0]))).toMatchObject({ RunsStarted: 1 });
  });

  it('write only lines at or above the configured level, errors and warnings to stderr', () => {
    // Prepare
    configureObservability({ logLevel: 'warn' });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // Act
    log('debug', 'detail');
    log('info', 'request');
    log('warn', 'slack webhook unreachable');
    log('error', 'request failed');
    emitMetrics({}, { Culls: 1 });

    // Assess
    const messages = err.mock.calls.map((c) => JSON.parse(String(c[0])).message);
    expect(messages).toEqual(['slack webhook unreachable', 'request failed']);
    // Metrics are not log lines: any level but silent writes them.
    expect(out.mock.calls.map((c) => Object.keys(JSON.parse(String(c[0]))))).toEqual([['_aws', 'Culls']]);
  });

  it('write nothing at all when the configured level is silent, even with ORRERY_LOG_LEVEL=info in process.env', () => {
    // Prepare
    process.env.ORRERY_LOG_LEVEL = 'info';
    configureObservability({ logLevel: 'silent' });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // Act
    log('error', 'request failed');
    emitMetrics({}, { RunsStarted: 1 });

    // Assess
    expect(out).not.toHaveBeenCalled();
    expect(err).not.toHaveBeenCalled();
  });
});
