import { lambdaCredentials } from '../adapters/aws/clients.ts';
import { UpstreamError } from '../domain/errors.ts';
import type { ServerCompute } from '../ports/server-compute.ts';
import type { Config } from '../config/config.ts';
import { CLUSTER_DEFAULTS } from '../contracts/cluster-setup.ts';
import { lazyPort, type PortMethods } from './lazy-port.ts';

const COMPUTE: PortMethods<ServerCompute> = {
  putToken: true,
  create: true,
  observe: true,
  remove: true,
  deleteHome: true,
  listHomes: true,
  describeHome: true,
  stopSparkApplications: true,
};

/**
 * The cloud's compute: servers as pods and Services on EKS, through the Kubernetes API with a token
 * made from the Lambda's own IAM identity. Without a cluster configured, server calls answer 503.
 */
export const makeCloudCompute = (config: Config): ServerCompute => {
  const { cluster, endpoint, certificateAuthority, namespace, serviceAccount, publicUrl, reporterImage } = config.eks;
  if (!cluster || !endpoint || !publicUrl || !config.serverSettings.apiUrl) return new UnconfiguredCompute();
  return lazyPort(async () => {
    // Loaded on first use: the Kubernetes client is most of these functions' code and the slowest part of a
    // cold start, and most requests (reads, progress, activity reports) never need it.
    const [{ EksTokenProvider }, { KubernetesServerCompute, makeKubernetesClients }] = await Promise.all([
      import('../adapters/aws/eks-token.ts'),
      import('../adapters/k8s/kubernetes-server-compute.ts'),
    ]);
    const credentials = lambdaCredentials();
    const tokens = new EksTokenProvider({ clusterName: cluster, region: config.region, credentials });
    const clients = makeKubernetesClients({ endpoint, caData: certificateAuthority, token: () => tokens.token() });
    // The reporter sidecar runs Orrery's image, so a profile may name any Jupyter image; the credentials sidecar
    // runs the notebook-runner image, which ships the credentials server.
    const where = {
      namespace,
      serviceAccount,
      sparkDriverServiceAccount: CLUSTER_DEFAULTS.sparkDriverServiceAccount,
      reporterImage,
      credentialsImage: config.runSettings.runner.image,
      publicBaseUrl: publicUrl,
    };
    return new KubernetesServerCompute({ ...clients, ...where });
  }, COMPUTE);
};

/** Compute for a deployment without an EKS cluster: every server call is a clear 503. */
class UnconfiguredCompute implements ServerCompute {
  private fail(): never {
    throw new UpstreamError(
      'servers are not configured here: ' +
        'set ORRERY_EKS_CLUSTER, ORRERY_EKS_ENDPOINT, ORRERY_SERVER_PUBLIC_URL and ORRERY_PUBLIC_API_URL',
    );
  }
  async putToken(): Promise<void> {
    this.fail();
  }
  async create(): Promise<void> {
    this.fail();
  }
  async observe(): Promise<never> {
    this.fail();
  }
  async remove(): Promise<void> {
    this.fail();
  }
  async deleteHome(): Promise<void> {
    this.fail();
  }
  async listHomes(): Promise<never> {
    this.fail();
  }
  // Words only, no call: a cull notice must not fail for want of a cluster.
  async describeHome(): Promise<string> {
    return 'its home volume';
  }
  async stopSparkApplications(): Promise<string[]> {
    this.fail();
  }
}
