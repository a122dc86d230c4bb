import type { RequestOptions } from 'node:https';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  type User,
  type V1Pod,
} from '@kubernetes/client-node';
import { ServerLaunchFailedError, UpstreamError } from '../../domain/errors.ts';
import type { ServerObservation } from '../../domain/launch.ts';
import { parseServerToken } from '../../domain/server.ts';
import type { ServerCompute, ServerLaunchSpec } from '../../ports/server-compute.ts';
import {
  BASE_PATH_ANNOTATION,
  JUPYTER_PORT,
  SERVER_LABEL,
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
const IMAGE_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName']);

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

const statusOf = (err: unknown): number | undefined => (err instanceof ApiException ? err.code : undefined);

// The Status `reason` (NotFound, Forbidden, InternalError) is an enum; its `message` is free text, kept out on purpose.
const statusReason = (body: unknown): string | undefined => {
  let parsed = body;
  // For statuses the OpenAPI document does not list, the client hands the body over as unparsed text.
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const reason = (parsed as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' && /^[A-Za-z]+$/.test(reason) ? reason : undefined;
};

// ApiException's message carries response headers and body; only the status and the Status reason are safe to repeat.
const upstream = (operation: string, err: unknown): UpstreamError => {
  const status = statusOf(err);
  if (status === undefined)
    return new UpstreamError(
      `Kubernetes API: ${operation} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  const reason = statusReason((err as ApiException<unknown>).body);
  return new UpstreamError(`Kubernetes API: ${operation} failed with HTTP ${status}${reason ? ` ${reason}` : ''}`);
};

/** Runs one API call; a status in `tolerated` yields null instead of an error. */
const call = async <T>(operation: string, fn: () => Promise<T>, tolerated: number[] = []): Promise<T | null> => {
  try {
    return await fn();
  } catch (err) {
    const status = statusOf(err);
    if (status !== undefined && tolerated.includes(status)) return null;
    throw upstream(operation, err);
  }
};

const terminatedReason = (t: { reason?: string; exitCode?: number; message?: string }): string =>
  `the notebook container exited: ${t.reason ?? 'terminated'} (exit code ${t.exitCode ?? 'unknown'})` +
  (t.message ? `: ${t.message}` : '');

const waitingFailure = (name: string, w: { reason?: string; message?: string }): string | null => {
  const what = w.message ?? `${w.reason} in ${name}`;
  if (w.reason && IMAGE_FAILURES.has(w.reason)) return `image pull failed: ${what}`;
  if (w.reason === 'CreateContainerConfigError') return `container config error: ${what}`;
  return null;
};

/** What a pod's status says, or null when it is Ready and only Jupyter itself can say more. */
const podObservation = (pod: V1Pod): ServerObservation | null => {
  const status = pod.status ?? {};
  const containers = status.containerStatuses ?? [];
  const notebook = containers.find((c) => c.name === 'notebook');
  if (notebook?.state?.terminated) return { state: 'failed', reason: terminatedReason(notebook.state.terminated) };
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    return {
      state: 'failed',
      reason:
        `the pod ${status.phase === 'Failed' ? 'failed' : 'ended'}` +
        (status.reason ? `: ${status.reason}` : '') +
        (status.message ? `: ${status.message}` : ''),
    };
  }
  for (const c of containers) {
    const failure = c.state?.waiting ? waitingFailure(c.name, c.state.waiting) : null;
    if (failure) return { state: 'failed', reason: failure };
  }
  const condition = (type: string) => status.conditions?.find((c) => c.type === type);
  const scheduled = condition('PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return { state: 'waiting', stage: 'requested', unschedulable: scheduled.message ?? 'no node fits the pod' };
  }
  if (scheduled?.status !== 'True' || !pod.spec?.nodeName) return { state: 'waiting', stage: 'requested' };
  // The notebook container's own readiness, not the pod's: a sidecar that fails must not hide a Jupyter that answers.
  if (notebook?.ready) return null;
  if (notebook?.state?.running) return { state: 'waiting', stage: 'started' };
  const detail = `on node ${pod.spec.nodeName}`;
  return containers.length === 0
    ? { state: 'waiting', stage: 'scheduled', detail }
    : { state: 'waiting', stage: 'pulling', detail };
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

  /** Creates the pod and its Service; objects that already exist are left as they are. */
  async create(spec: ServerLaunchSpec): Promise<void> {
    const { core, namespace, serviceAccount, reporterImage, credentialsImage } = this.o;
    const full = { ...spec, namespace, serviceAccount, credentialsImage, ...(reporterImage ? { reporterImage } : {}) };
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
