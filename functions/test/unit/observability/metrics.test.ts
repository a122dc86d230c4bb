import { afterEach, describe, expect, it, vi } from 'vitest';
import { emitMetrics, makeMetricsLine } from '../../../src/observability/metrics.ts';
import { configureObservability } from '../../../src/observability/settings.ts';

describe('emitMetrics', () => {
  afterEach(() => {
    configureObservability({ logLevel: 'silent' });
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('writes one embedded-metric-format line with the namespace, dimensions, units and values', () => {
    // Prepare
    configureObservability({ logLevel: 'info' });
    vi.useFakeTimers({ now: new Date('2025-01-02T03:04:05.000Z') });
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act
    emitMetrics({ Pool: 'cpu' }, { ServersStarted: 1, LaunchTime: 2500 }, { LaunchTime: 'Milliseconds' });

    // Assess
    expect(write).toHaveBeenCalledTimes(1);
    const text = String(write.mock.calls[0]![0]);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(text)).toEqual({
      _aws: {
        Timestamp: Date.parse('2025-01-02T03:04:05.000Z'),
        CloudWatchMetrics: [
          {
            Namespace: 'Orrery',
            Dimensions: [['Pool']],
            Metrics: [
              { Name: 'ServersStarted', Unit: 'Count' },
              { Name: 'LaunchTime', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      Pool: 'cpu',
      ServersStarted: 1,
      LaunchTime: 2500,
    });
  });

  it('publishes dimension-less counts with one empty dimension set', () => {
    // Prepare
    const at = 1_700_000_000_000;

    // Act
    const line = makeMetricsLine({}, { Culls: 2, CullWarnings: 1 }, {}, 'Orrery', at);

    // Assess
    expect(line).toEqual({
      _aws: {
        Timestamp: at,
        CloudWatchMetrics: [
          {
            Namespace: 'Orrery',
            Dimensions: [[]],
            Metrics: [
              { Name: 'Culls', Unit: 'Count' },
              { Name: 'CullWarnings', Unit: 'Count' },
            ],
          },
        ],
      },
      Culls: 2,
      CullWarnings: 1,
    });
  });

  it('writes nothing when the configured log level is silent', () => {
    // Prepare
    configureObservability({ logLevel: 'silent' });
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act
    emitMetrics({}, { RunsStarted: 1 });

    // Assess
    expect(write).not.toHaveBeenCalled();
  });
});
