import { lambdaCredentials } from '../adapters/aws/clients.ts';
import type { Config } from '../config/config.ts';
import { CLUSTER_DEFAULTS } from '../contracts/cluster-setup.ts';
import { UpstreamError } from '../domain/errors.ts';
import type { SparkCompute } from '../ports/spark-compute.ts';
import { lazyPort, type PortMethods } from './lazy-port.ts';

const SPARK: PortMethods<SparkCompute> = { startSession: true, stopSession: true };

/**
 * The cloud's Spark: executors as pods beside the servers on EKS, through the Kubernetes API with a token made from
 * the Lambda's own IAM identity, loaded on first use as makeCloudCompute's is. Without a cluster, starting a session
 * answers 503 and stopping one does nothing (there is nothing to stop).
 */
export const makeCloudSparkCompute = (config: Config): SparkCompute => {
  const { cluster, endpoint, certificateAuthority, namespace } = config.eks;
  if (!cluster || !endpoint) return new UnconfiguredSparkCompute();
  return lazyPort(async () => {
    const [{ EksTokenProvider }, { makeKubernetesClients }, { KubernetesSparkCompute }] = await Promise.all([
      import('../adapters/aws/eks-token.ts'),
      import('../adapters/k8s/kubernetes-server-compute.ts'),
      import('../adapters/k8s/kubernetes-spark-compute.ts'),
    ]);
    const tokens = new EksTokenProvider({
      clusterName: cluster,
      region: config.region,
      credentials: lambdaCredentials(),
    });
    const { core } = makeKubernetesClients({ endpoint, caData: certificateAuthority, token: () => tokens.token() });
    return new KubernetesSparkCompute({
      core,
      namespace,
      executorServiceAccount: CLUSTER_DEFAULTS.sparkExecutorServiceAccount,
      credentialsImage: config.runSettings.runner.image,
    });
  }, SPARK);
};

/** Spark for a deployment without an EKS cluster. */
class UnconfiguredSparkCompute implements SparkCompute {
  async startSession(): Promise<never> {
    throw new UpstreamError('Spark sessions are not configured here: set ORRERY_EKS_CLUSTER and ORRERY_EKS_ENDPOINT');
  }
  async stopSession(): Promise<void> {}
}
