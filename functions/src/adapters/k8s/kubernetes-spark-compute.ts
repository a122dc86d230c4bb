import type { CoreV1Api } from '@kubernetes/client-node';
import { ConflictError } from '../../domain/errors.ts';
import type { SparkCompute, SparkPlacement, SparkSessionSpec } from '../../ports/spark-compute.ts';
import { call } from './kube-calls.ts';
import {
  SESSION_LABEL,
  driverServiceName,
  makeDriverService,
  makeExecutorPodTemplate,
  sparkPlacementConf,
  sparkUiLink,
} from './spark-manifests.ts';

/** The client and names the adapter works with; the client comes from `makeKubernetesClients`. */
export interface KubernetesSparkComputeOptions {
  core: CoreV1Api;
  /** The servers' namespace: drivers are server pods, executors run beside them. */
  namespace: string;
  /** The executors' service account (no API token). */
  executorServiceAccount: string;
  /** The credentials sidecar's image (the notebook-runner image). */
  credentialsImage: string;
}

/** Spark sessions on EKS: the notebook's kernel is the driver (client mode), executors are pods it creates. */
export class KubernetesSparkCompute implements SparkCompute {
  constructor(private readonly o: KubernetesSparkComputeOptions) {}

  /**
   * Creates the session's headless driver Service, owned by the server's pod (an existing one is fine: a repeat),
   * and returns the placement conf, the executor pod template and the UI link.
   */
  async startSession(spec: SparkSessionSpec): Promise<SparkPlacement> {
    const { core, namespace, executorServiceAccount, credentialsImage } = this.o;
    const full = { ...spec, namespace, executorServiceAccount, credentialsImage };
    const pod = await call(
      `read Pod ${spec.serverId}`,
      () => core.readNamespacedPod({ name: spec.serverId, namespace }),
      [404],
    );
    const uid = pod?.metadata?.uid;
    if (!uid || pod.metadata?.deletionTimestamp)
      throw new ConflictError(
        `server '${spec.serverName}' has no running pod to drive Spark from: stop and start the server again`,
      );
    const name = driverServiceName(spec.sessionId);
    await call(
      `create Service ${name}`,
      () => core.createNamespacedService({ namespace, body: makeDriverService(full, { uid }) }),
      [409],
    );
    return {
      conf: sparkPlacementConf(full),
      podTemplate: makeExecutorPodTemplate(full),
      links: { ui: sparkUiLink(spec) },
    };
  }

  /**
   * Deletes the session's executors by its label, whichever server they belong to, and its driver Service; what is
   * gone already is fine. The server label is not needed: session ids are unique.
   */
  async stopSession(_serverId: string, sessionId: string): Promise<void> {
    const { core, namespace } = this.o;
    await call(`delete the pods of Spark session ${sessionId}`, () =>
      core.deleteCollectionNamespacedPod({ namespace, labelSelector: `${SESSION_LABEL}=${sessionId}` }),
    );
    const name = driverServiceName(sessionId);
    await call(`delete Service ${name}`, () => core.deleteNamespacedService({ name, namespace }), [404]);
  }
}
