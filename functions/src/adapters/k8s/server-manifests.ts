import { formatCpu, formatMemory } from '../../domain/quantity.ts';
import type { ServerLaunchSpec } from '../../ports/server-compute.ts';

/** What a server's pod needs beyond the launch: where it lives in the cluster and the reporter's image. */
export interface ServerPodSpec extends ServerLaunchSpec {
  namespace: string;
  serviceAccount: string;
  /** The activity reporter's image; the notebook image when absent (it ships the reporter script). */
  reporterImage?: string;
}

/** What the token Secret needs: the adapter only learns the launch from the token itself. */
export interface ServerSecretSpec {
  serverId: string;
  namespace: string;
  launchId?: string;
}

/** The port Jupyter listens on inside the pod, and the Service's port. */
export const JUPYTER_PORT = 8888;

/** The pod annotation that keeps Jupyter's base path, so `observe` can probe it through the API server. */
export const BASE_PATH_ANNOTATION = 'orrery.dev/base-path';

/** The label every object of one server carries; Spark pods the server starts carry it too. */
export const SERVER_LABEL = 'orrery.dev/server';

/** The `app.kubernetes.io/name` of every server's objects; the servers' NetworkPolicies select it. */
export const SERVER_APP = 'orrery-server';

/** The Secret key that holds the server token. */
export const TOKEN_KEY = 'token';

const labelsFor = (s: { serverId: string; launchId?: string }): Record<string, string> => ({
  'app.kubernetes.io/name': SERVER_APP,
  'app.kubernetes.io/managed-by': 'orrery',
  [SERVER_LABEL]: s.serverId,
  ...(s.launchId ? { 'orrery.dev/launch': s.launchId } : {}),
});

// User ids may contain `@`, which label values forbid; annotations take any string.
const metadataFor = (s: ServerPodSpec) => ({
  name: s.serverId,
  namespace: s.namespace,
  labels: labelsFor(s),
  annotations: {
    'orrery.dev/owner': s.owner,
    'orrery.dev/name': s.name,
    'orrery.dev/profile': s.profile,
    [BASE_PATH_ANNOTATION]: s.basePath,
  },
});

const tokenFrom = (s: { serverId: string }) => ({ secretKeyRef: { name: s.serverId, key: TOKEN_KEY } });

const SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 1000,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

const notebookResources = (s: ServerPodSpec) => {
  const r = s.resources;
  // Kubernetes requires extended resources such as GPUs to be requested exactly as limited.
  const gpu = r.gpus > 0 ? { 'nvidia.com/gpu': String(r.gpus) } : {};
  return {
    requests: { cpu: formatCpu(r.cpuRequest), memory: formatMemory(r.memoryRequest), ...gpu },
    limits: { cpu: formatCpu(r.cpuLimit), memory: formatMemory(r.memoryLimit), ...gpu },
  };
};

const notebookContainer = (s: ServerPodSpec) => ({
  name: 'notebook',
  image: s.resources.image,
  command: ['jupyter', 'server'],
  args: [
    '--ServerApp.ip=0.0.0.0',
    `--ServerApp.port=${JUPYTER_PORT}`,
    `--ServerApp.base_url=${s.basePath}`,
    '--ServerApp.open_browser=False',
  ],
  env: [
    { name: 'JUPYTER_TOKEN', valueFrom: tokenFrom(s) },
    { name: 'ORRERY_SERVER_ID', value: s.serverId },
  ],
  ports: [{ name: 'http', containerPort: JUPYTER_PORT, protocol: 'TCP' }],
  resources: notebookResources(s),
  // Jupyter answers `<base>api` without a token, so readiness means "Jupyter is serving", not "a user signed in".
  readinessProbe: { httpGet: { path: `${s.basePath}api`, port: JUPYTER_PORT }, periodSeconds: 2 },
  securityContext: SECURITY_CONTEXT,
});

const reporterContainer = (s: ServerPodSpec) => ({
  name: 'activity-reporter',
  image: s.reporterImage ?? s.resources.image,
  command: ['python3', '/opt/orrery/activity_reporter.py'],
  env: [
    { name: 'ORRERY_ACTIVITY_URL', value: s.activityUrl },
    { name: 'ORRERY_SERVER_TOKEN', valueFrom: tokenFrom(s) },
    { name: 'JUPYTER_URL', value: `http://127.0.0.1:${JUPYTER_PORT}${s.basePath}` },
  ],
  resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
  securityContext: SECURITY_CONTEXT,
});

/**
 * The pod of one Jupyter server: the notebook container and its activity reporter, never restarted (a relaunch is a new
 * pod).
 */
export const makeServerPod = (s: ServerPodSpec) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: metadataFor(s),
  spec: {
    restartPolicy: 'Never',
    serviceAccountName: s.serviceAccount,
    // Notebook users run arbitrary code: neither the API token nor every Service's address belongs in their
    // environment.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    nodeSelector: { ...s.pool.nodeSelector },
    tolerations: s.pool.tolerations.map((t) => ({ ...t })),
    containers: [notebookContainer(s), reporterContainer(s)],
  },
});

/** The ClusterIP Service in front of a server's pod, which the proxy and the API server's service proxy reach. */
export const makeServerService = (s: ServerPodSpec) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: metadataFor(s),
  spec: {
    type: 'ClusterIP',
    selector: { [SERVER_LABEL]: s.serverId },
    ports: [{ name: 'http', port: JUPYTER_PORT, targetPort: 'http', protocol: 'TCP' }],
  },
});

/** The Secret that holds a server's token, read by its two containers through secretKeyRef. */
export const makeServerTokenSecret = (s: ServerSecretSpec, token: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: s.serverId, namespace: s.namespace, labels: labelsFor(s) },
  type: 'Opaque',
  stringData: { [TOKEN_KEY]: token },
});
