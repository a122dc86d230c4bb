import type { Config } from '../config/config.ts';
import { DEFAULT_SPARK_RULES } from '../domain/spark-sizing.ts';
import type { SparkSettings } from '../use-cases/spark-deps.ts';
import { UpstreamError } from '../domain/errors.ts';
import type { SparkCompute, SparkPlacement } from '../ports/spark-compute.ts';

/**
 * PLACEHOLDER until branch spark-k8s lands: the cloud's SparkCompute is KubernetesSparkCompute (executors as pods on
 * EKS); the lead replaces this class with it at merge. Starting a session answers 503 saying so; stopping one does
 * nothing (nothing was ever started), so teardown and the culler keep working.
 */
export class UnwiredEksSparkCompute implements SparkCompute {
  async startSession(): Promise<SparkPlacement> {
    throw new UpstreamError('Spark on EKS is not wired in this deployment yet: no Spark sessions can start');
  }
  async stopSession(): Promise<void> {}
}

/** The cloud's Spark compute: executors as pods beside the server's, through the Kubernetes API. */
export const makeCloudSparkCompute = (_config: Config): SparkCompute => new UnwiredEksSparkCompute();

// TEMPORARY until Config.spark (branch spark-rules) lands: the default pool and rules, no links.
const FALLBACK_SPARK: SparkSettings = {
  pools: [
    {
      name: 'batch',
      image: 'quay.io/jupyter/pyspark-notebook:2025-06-30',
      allowedImages: [],
      nodeSelector: { 'orrery.dev/pool': 'spark-batch' },
      tolerations: [],
      pricePerCoreHour: 0.041,
    },
  ],
  rules: DEFAULT_SPARK_RULES,
  historyUrl: '',
  monitoringUrl: '',
};

/** Spark's settings from the configuration. */
export const sparkSettingsOf = (config: Config): SparkSettings =>
  (config as Config & { spark?: SparkSettings }).spark ?? FALLBACK_SPARK;
