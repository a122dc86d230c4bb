import type { RequestOptions } from 'node:https';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  type User,
} from '@kubernetes/client-node';
import { ServerLaunchFailedError } from '../../domain/errors.ts';
import type { ServerObservation } from '../../domain/launch.ts';
import { podObservation } from './pod-observation.ts';
import { parseMemory } from '../../domain/quantity.ts';
import { parseServerToken } from '../../domain/server.ts';
import type { HomeUsage, ServerCompute, ServerLaunchSpec } from '../../ports/server-compute.ts';
import { call, upstream } from './kube-calls.ts';
import {
  BASE_PATH_ANNOTATION,
  HOME_PATH,
  JUPYTER_PORT,
  SERVER_APP,
  SERVER_LABEL,
  homeClaimName,
  makeServerHomeClaim,
  makeServerPod,
  makeServerService,
  makeServerTokenSecret,
} from './server-manifests.ts';

/** The API clients and names the adapter works with; clients come ready-made from `makeKubernetesClients`. */
export interface KubernetesServerComputeOptions {
  core: CoreV1Api;
  custom: CustomObjectsApi;
  namespace: string;
  serviceAccount: string;
  /** The service account of Spark profiles' server pods, whose kernels create executor pods (token mounted). */
  sparkDriverServiceAccount?: string;
  reporterImage?: string;
  /** The credentials sidecar's image (the notebook-runner image). */
  credentialsImage: string;
  /** Where users reach servers (the proxy in front of the Services), without the base path. */
  publicBaseUrl: string;
}

/** How to reach one API server; `token` is asked again for every request, so it may rotate. */
export interface KubernetesConnection {
  endpoint: string;
  /** The cluster CA, base64-encoded PEM as EKS and kubeconfig files give it. */
  caData?: string;
  skipTlsVerify?: boolean;
  token: () => Promise<string>;
}

const AUTH_PROVIDER = 'orrery-bearer';
const SPARK = { group: 'sparkoperator.k8s.io', version: 'v1beta2', plural: 'sparkapplications' };

// The package does not export its Authenticator interface; addAuthenticator's parameter is that interface.
type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

// client-node only asks Authenticators for headers, per request, when the user names an auth provider it claims.
class BearerAuthenticator implements Authenticator {
  constructor(private readonly token: () => Promise<string>) {}
  isAuthProvider(user: User): boolean {
    return user.authProvider?.name === AUTH_PROVIDER;
  }
  async applyAuthentication(_user: User, opts: RequestOptions): Promise<void> {
    opts.headers = { ...opts.headers, Authorization: `Bearer ${await this.token()}` };
  }
}

/** Core and custom-object clients for one cluster whose bearer token comes fresh from `token()` on every request. */
export const makeKubernetesClients = (c: KubernetesConnection): { core: CoreV1Api; custom: CustomObjectsApi } => {
  const kc = new KubeConfig();
  kc.addAuthenticator(new BearerAuthenticator(c.token));
  kc.loadFromOptions({
    clusters: [{ name: 'orrery', server: c.endpoint, caData: c.caData, skipTLSVerify: c.skipTlsVerify ?? false }],
    users: [{ name: 'orrery', authProvider: { name: AUTH_PROVIDER, config: {} } }],
    contexts: [{ name: 'orrery', cluster: 'orrery', user: 'orrery' }],
    currentContext: 'orrery',
  });
  return { core: kc.makeApiClient(CoreV1Api), custom: kc.makeApiClient(CustomObjectsApi) };
};

/** Jupyter servers as pods, Services and Secrets in one namespace of a Kubernetes cluster (EKS in the cloud). */
export class KubernetesServerCompute implements ServerCompute {
  constructor(private readonly o: KubernetesServerComputeOptions) {}

  /** Stores the tokens in the server's Secret, replacing those of an earlier launch. */
  async putToken(serverId: string, token: string, credentialsToken: string): Promise<void> {
    const { core, namespace } = this.o;
    const launchId = parseServerToken(token)?.launchId;
    const body = makeServerTokenSecret({ serverId, namespace, launchId }, token, credentialsToken);
    const created = await call(
      `create Secret ${serverId}`,
      () => core.createNamespacedSecret({ namespace, body }),
      [409],
    );
    if (created === null)
      await call(`replace Secret ${serverId}`, () => core.replaceNamespacedSecret({ name: serverId, namespace, body }));
  }

  /**
   * Creates the home claim (once: a 409 means an earlier launch made it, and this launch mounts the same volume), the
   * pod and its Service; objects that already exist are left as they are.
   */
  async create(spec: ServerLaunchSpec): Promise<void> {
    const { core, namespace, serviceAccount, sparkDriverServiceAccount, reporterImage, credentialsImage } = this.o;
    const full = {
      ...spec,
      namespace,
      serviceAccount,
      credentialsImage,
      ...(reporterImage ? { reporterImage } : {}),
      ...(sparkDriverServiceAccount ? { sparkDriverServiceAccount } : {}),
    };
    const claim = await call(
      `create PersistentVolumeClaim ${homeClaimName(spec.serverId)}`,
      () => core.createNamespacedPersistentVolumeClaim({ namespace, body: makeServerHomeClaim(full) }),
      [409],
    );
    if (claim === null) await this.refuseDeletedHome(spec.serverId);
    const created = await call(
      `create Pod ${spec.serverId}`,
      () => core.createNamespacedPod({ namespace, body: makeServerPod(full) }),
      [409],
    );
    if (created === null) await this.refuseEarlierPod(spec);
    await call(
      `create Service ${spec.serverId}`,
      () => core.createNamespacedService({ namespace, body: makeServerService(full) }),
      [409],
    );
  }

  // The claim of a server deleted moments ago (same name, so same claim) may still be terminating: a pod mounting it
  // would wait forever, and the files it held are gone anyway.
  private async refuseDeletedHome(serverId: string): Promise<void> {
    const name = homeClaimName(serverId);
    const claim = await call(
      `read PersistentVolumeClaim ${name}`,
      () => this.o.core.readNamespacedPersistentVolumeClaim({ name, namespace: this.o.namespace }),
      [404],
    );
    if (claim?.metadata?.deletionTimestamp)
      throw new ServerLaunchFailedError(
        'the home volume of a deleted server of this name is still being deleted; launch it again in a minute',
      );
  }

  // A pod of an earlier launch (stopped moments ago, still terminating) must not pass for this launch's.
  private async refuseEarlierPod(spec: ServerLaunchSpec): Promise<void> {
    const pod = await call(
      `read Pod ${spec.serverId}`,
      () => this.o.core.readNamespacedPod({ name: spec.serverId, namespace: this.o.namespace }),
      [404],
    );
    const launch = pod?.metadata?.labels?.['orrery.dev/launch'];
    if (launch !== spec.launchId)
      throw new ServerLaunchFailedError(
        "the pod of this server's previous launch is still shutting down; launch it again in a minute",
      );
  }

  /** Reads the pod and, once Kubernetes calls it Ready, asks Jupyter through the API server's service proxy. */
  async observe(serverId: string): Promise<ServerObservation> {
    const { core, namespace } = this.o;
    const pod = await call(`read Pod ${serverId}`, () => core.readNamespacedPod({ name: serverId, namespace }), [404]);
    if (pod === null) return { state: 'absent' };
    const seen = podObservation(pod);
    if (seen) return seen;
    const basePath = pod.metadata?.annotations?.[BASE_PATH_ANNOTATION] ?? '/';
    if ((await this.jupyterStatus(serverId, basePath)) !== 200) return { state: 'waiting', stage: 'started' };
    return { state: 'ready', url: this.o.publicBaseUrl.replace(/\/+$/, '') + basePath };
  }

  /**
   * The HTTP status of `GET <basePath>api` through the service proxy. The generated client percent-encodes
   * the slashes of the proxied path, so a middleware sets the literal path, and reads the status before
   * the client tries to parse whatever body Jupyter or the proxy sent.
   */
  private async jupyterStatus(serverId: string, basePath: string): Promise<number> {
    const { core, namespace } = this.o;
    const path = `/api/v1/namespaces/${namespace}/services/${serverId}:${JUPYTER_PORT}/proxy${basePath}api`;
    let status = 0;
    const middleware: ObservableMiddleware = {
      pre: (ctx) => {
        const url = ctx.getUrl();
        ctx.setUrl(url.slice(0, url.indexOf('/api/v1/namespaces/')) + path);
        return new Observable(Promise.resolve(ctx));
      },
      post: (rsp) => {
        status = rsp.httpStatusCode;
        return new Observable(Promise.resolve(rsp));
      },
    };
    try {
      await core.connectGetNamespacedServiceProxyWithPath(
        { name: `${serverId}:${JUPYTER_PORT}`, namespace, path: 'api' },
        { middleware: [middleware], middlewareMergeStrategy: 'append' },
      );
    } catch (err) {
      if (status === 0) throw upstream(`proxy to ${serverId}`, err);
    }
    return status;
  }

  /** Deletes the pod (giving Jupyter time to save), its Service and its Secret; missing ones are fine. */
  async remove(serverId: string): Promise<void> {
    const { core, namespace } = this.o;
    await call(
      `delete Pod ${serverId}`,
      () => core.deleteNamespacedPod({ name: serverId, namespace, gracePeriodSeconds: 30 }),
      [404],
    );
    await call(`delete Service ${serverId}`, () => core.deleteNamespacedService({ name: serverId, namespace }), [404]);
    await call(`delete Secret ${serverId}`, () => core.deleteNamespacedSecret({ name: serverId, namespace }), [404]);
  }

  /**
   * Deletes the home claim; with the class's Delete reclaim policy the EBS volume goes with it. Kubernetes keeps a
   * claim a pod still mounts until that pod is gone (its protection finalizer), so this never pulls a volume from
   * under a running Jupyter.
   */
  async deleteHome(serverId: string): Promise<void> {
    const { core, namespace } = this.o;
    const name = homeClaimName(serverId);
    await call(
      `delete PersistentVolumeClaim ${name}`,
      () => core.deleteNamespacedPersistentVolumeClaim({ name, namespace }),
      [404],
    );
  }

  /** Every server's home claim, with its size as requested (what EBS bills) and the owner and name it was made for. */
  async listHomes(): Promise<HomeUsage[]> {
    const { core, namespace } = this.o;
    const claims = await call('list PersistentVolumeClaims', () =>
      core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector: `app.kubernetes.io/name=${SERVER_APP}` }),
    );
    return (claims?.items ?? []).flatMap((c) => {
      const serverId = c.metadata?.labels?.[SERVER_LABEL];
      if (!serverId || !c.metadata?.name) return [];
      // status.capacity is the volume's real size once bound (an expansion shows there); before, the request.
      const quantity = c.status?.capacity?.storage ?? c.spec?.resources?.requests?.storage ?? '0';
      const notes = c.metadata.annotations ?? {};
      return [
        {
          serverId,
          ...(notes['orrery.dev/owner'] ? { owner: notes['orrery.dev/owner'] } : {}),
          ...(notes['orrery.dev/name'] ? { name: notes['orrery.dev/name'] } : {}),
          size: parseMemory(String(quantity)) ?? 0,
          storageClass: c.spec?.storageClassName ?? '',
          location: `PersistentVolumeClaim ${namespace}/${c.metadata.name}`,
        },
      ];
    });
  }

  /** The claim that keeps the server's home. */
  async describeHome(serverId: string): Promise<string> {
    return `its volume (PersistentVolumeClaim ${homeClaimName(serverId)}, mounted at ${HOME_PATH})`;
  }

  /** Deletes the server's SparkApplications and its client-mode Spark pods; returns the applications' names. */
  async stopSparkApplications(serverId: string): Promise<string[]> {
    const { core, custom, namespace } = this.o;
    const selector = `${SERVER_LABEL}=${serverId}`;
    // A 404 on the list means the Spark operator's CRD is not installed: there are no applications to stop.
    const apps = await call(
      'list SparkApplications',
      () => custom.listNamespacedCustomObject({ ...SPARK, namespace, labelSelector: selector }),
      [404],
    );
    const appNames: string[] = ((apps?.items ?? []) as { metadata?: { name?: string } }[]).flatMap((a) =>
      a.metadata?.name ? [a.metadata.name] : [],
    );
    for (const name of appNames) {
      await call(
        `delete SparkApplication ${name}`,
        () => custom.deleteNamespacedCustomObject({ ...SPARK, namespace, name }),
        [404],
      );
    }
    const pods = await call('list Spark pods', () =>
      core.listNamespacedPod({ namespace, labelSelector: `${selector},spark-role` }),
    );
    const selectors: string[] = [];
    for (const pod of pods?.items ?? []) {
      const name = pod.metadata?.name;
      if (!name) continue;
      await call(`delete Pod ${name}`, () => core.deleteNamespacedPod({ name, namespace }), [404]);
      const app = pod.metadata?.labels?.['spark-app-selector'];
      if (app) selectors.push(app);
    }
    return [...new Set([...appNames, ...selectors])];
  }
}
