import { METRICS_NAMESPACE } from '../contracts/metric-names.ts';
import { metricsEnabled } from './settings.ts';

/** A CloudWatch unit an embedded metric may carry. */
export type MetricUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'Percent' | 'Bytes' | 'None';

/** Dimension names to values; every metric of one line shares them. */
export type MetricDimensions = Record<string, string>;

/** What writes metrics: `emitMetrics` in a Lambda, a recording fake in tests; handlers take it as a parameter. */
export type EmitMetrics = (
  dimensions: MetricDimensions,
  values: Record<string, number>,
  units?: Partial<Record<string, MetricUnit>>,
) => void;

/**
 * Writes one CloudWatch embedded-metric-format line to stdout: CloudWatch Logs turns it into metrics,
 * so a Lambda publishes them without a PutMetricData call on its path. Units default to Count. Nothing is
 * written when the configured log level (configureObservability, from ORRERY_LOG_LEVEL) is `silent`.
 */
export const emitMetrics = (
  dimensions: MetricDimensions,
  values: Record<string, number>,
  units: Partial<Record<string, MetricUnit>> = {},
  namespace: string = METRICS_NAMESPACE,
): void => {
  if (!metricsEnabled()) return;
  const names = Object.keys(values);
  if (names.length === 0) return;
  process.stdout.write(`${JSON.stringify(makeMetricsLine(dimensions, values, units, namespace, Date.now()))}\n`);
};

/** The EMF object `emitMetrics` writes, built apart from stdout so its shape can be checked. */
export const makeMetricsLine = (
  dimensions: MetricDimensions,
  values: Record<string, number>,
  units: Partial<Record<string, MetricUnit>>,
  namespace: string,
  timestamp: number,
) => ({
  _aws: {
    Timestamp: timestamp,
    CloudWatchMetrics: [
      {
        Namespace: namespace,
        // An empty dimension set (`[[]]`) publishes the metric without dimensions, which alarms and the dashboard read.
        Dimensions: [Object.keys(dimensions)],
        Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: units[name] ?? 'Count' })),
      },
    ],
  },
  ...dimensions,
  ...values,
});
