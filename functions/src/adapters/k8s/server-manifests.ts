import { formatCpu, formatMemory } from '../../domain/quantity.ts';
import type { ServerLaunchSpec } from '../../ports/server-compute.ts';

/** What a server's pod needs beyond the launch: where it lives in the cluster and the reporter's image. */
export interface ServerPodSpec extends ServerLaunchSpec {
  namespace: string;
  serviceAccount: string;
  /** The service account of servers whose profile may start Spark (`spark: true`): its API token is mounted. */
  sparkDriverServiceAccount?: string;
  /** The activity reporter's image; the notebook image when absent (it ships the reporter script). */
  reporterImage?: string;
  /** The credentials sidecar's image: the notebook-runner image, which ships `orrery_runner` in /opt/orrery. */
  credentialsImage: string;
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

/**
 * The label of server pods that may drive Spark (their profile says `spark: true`); Spark's NetworkPolicies select
 * it.
 */
export const SPARK_DRIVER_LABEL = 'orrery.dev/spark-driver';

/** The Secret key that holds the server token. */
export const TOKEN_KEY = 'token';

/** The Secret key that holds the credentials token: only the credentials sidecar's environment reads it. */
export const CREDENTIALS_TOKEN_KEY = 'credentials-token';

/**
 * The Secret key that holds a Spark profile's server's Spark authentication secret (one per launch): only the
 * notebook container (the driver) and its executors' executor container mount it, as a file, never in an environment.
 */
export const SPARK_AUTH_KEY = 'spark-auth';

/** Where the Spark authentication secret is mounted, in the server's notebook container and in executors alike. */
export const SPARK_AUTH_DIR = '/var/run/orrery/spark-auth';

/** The file Spark reads its authentication secret from (`spark.authenticate.secret.*file`). */
export const SPARK_AUTH_FILE = `${SPARK_AUTH_DIR}/secret`;

const SPARK_AUTH_VOLUME = 'spark-auth';

/**
 * The volume of the server's Secret with the Spark key alone. Readable by all (0444): executor pods have no fsGroup,
 * and Spark runs as uid 1000, not root; no other container of either pod mounts it.
 */
export const sparkAuthVolume = (serverId: string) => ({
  name: SPARK_AUTH_VOLUME,
  secret: { secretName: serverId, items: [{ key: SPARK_AUTH_KEY, path: 'secret' }], defaultMode: 0o444 },
});

/** The read-only mount of sparkAuthVolume. */
export const SPARK_AUTH_MOUNT = { name: SPARK_AUTH_VOLUME, mountPath: SPARK_AUTH_DIR, readOnly: true };

/** The credentials sidecar's loopback port: fixed, since the notebook's environment is written before it starts. */
export const CREDENTIALS_PORT = 9911;

/** Where the sidecar writes the authorization token the notebook's SDKs send: an emptyDir both containers mount. */
export const CREDENTIALS_DIR = '/var/run/orrery/credentials';

/** The emptyDir the credentials sidecar writes its token file to, mounted read-only where SDKs read it. */
export const CREDENTIALS_VOLUME = 'aws-credentials';
const HOME_VOLUME = 'home';

/** Where the Jupyter Docker Stacks images keep the user's work (their WORKDIR and `$HOME`); the volume goes there. */
export const HOME_PATH = '/home/jovyan';

/**
 * The group the Jupyter Docker Stacks images give their user (`users`, NB_GID=100): the kubelet makes the volume's
 * files this group's and group-writable, so uid 1000 can write to a volume formatted as root.
 */
export const HOME_FS_GROUP = 100;

/** The name of a server's home PersistentVolumeClaim: its id (already a unique safe slug) and `-home`. */
export const homeClaimName = (serverId: string): string => `${serverId}-home`;

const labelsFor = (s: { serverId: string; launchId?: string }): Record<string, string> => ({
  'app.kubernetes.io/name': SERVER_APP,
  'app.kubernetes.io/managed-by': 'orrery',
  [SERVER_LABEL]: s.serverId,
  ...(s.launchId ? { 'orrery.dev/launch': s.launchId } : {}),
});

/**
 * What selects a server's own pod and nothing else: Spark executors carry the server label too (so teardown finds
 * them), never the app name.
 */
export const serverPodSelector = (serverId: string): Record<string, string> => ({
  'app.kubernetes.io/name': SERVER_APP,
  [SERVER_LABEL]: serverId,
});

const drives = (s: ServerPodSpec): boolean => Boolean(s.spark && s.sparkDriverServiceAccount);

// User ids may contain `@`, which label values forbid; annotations take any string.
const metadataFor = (s: ServerPodSpec) => ({
  name: s.serverId,
  namespace: s.namespace,
  labels: { ...labelsFor(s), ...(drives(s) ? { [SPARK_DRIVER_LABEL]: 'true' } : {}) },
  annotations: {
    'orrery.dev/owner': s.owner,
    'orrery.dev/name': s.name,
    'orrery.dev/profile': s.profile,
    [BASE_PATH_ANNOTATION]: s.basePath,
  },
});

/** One container environment variable: a value, or a key of a Secret. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

const tokenFrom = (s: { serverId: string }, key = TOKEN_KEY) => ({ secretKeyRef: { name: s.serverId, key } });

/** Every Orrery container's security context: uid 1000 (the images' `jovyan`), no privilege, no capability. */
export const SECURITY_CONTEXT = {
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
    // For the image's orrery_lab handlers, which call the API with JUPYTER_TOKEN and link to the portal.
    { name: 'ORRERY_API_URL', value: s.apiUrl },
    { name: 'ORRERY_SERVER_NAME', value: s.name },
    { name: 'ORRERY_PORTAL_URL', value: s.portalUrl },
    // Every AWS SDK's default chain reads these two (Jupyter images carry SDKs recent enough for the _FILE form);
    // the token never goes in the environment itself, which notebook code prints and shares.
    { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: `http://127.0.0.1:${CREDENTIALS_PORT}/credentials` },
    { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: `${CREDENTIALS_DIR}/token` },
  ],
  ports: [{ name: 'http', containerPort: JUPYTER_PORT, protocol: 'TCP' }],
  resources: notebookResources(s),
  volumeMounts: [
    { name: CREDENTIALS_VOLUME, mountPath: CREDENTIALS_DIR, readOnly: true },
    { name: HOME_VOLUME, mountPath: HOME_PATH },
    // The kernel is Spark's driver: it reads the launch's Spark secret from this file (sparkPlacementConf).
    ...(drives(s) ? [{ ...SPARK_AUTH_MOUNT }] : []),
  ],
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
 * The credentials sidecar (of a server's pod, and of its Spark executors' with `ORRERY_SPARK_SESSION` added):
 * serves the container-credentials protocol on 127.0.0.1:9911 with keys for the server's role, fetched with the
 * credentials token, which only this container's environment holds (the notebook container reads JUPYTER_TOKEN,
 * never this key of the Secret). Same uid as Jupyter, so the 0600 token file it writes in the
 * shared emptyDir is readable by the notebook and by nothing else.
 */
export const makeCredentialsContainer = (
  s: Pick<ServerPodSpec, 'serverId' | 'name' | 'apiUrl' | 'credentialsImage'>,
  extraEnv: EnvVar[] = [],
) => ({
  name: 'aws-credentials',
  image: s.credentialsImage,
  command: ['python', '-m', 'orrery_runner.credentials_sidecar'],
  workingDir: '/opt/orrery',
  env: <EnvVar[]>[
    { name: 'ORRERY_API_URL', value: s.apiUrl },
    { name: 'ORRERY_SERVER_NAME', value: s.name },
    { name: 'ORRERY_SERVER_TOKEN', valueFrom: tokenFrom(s, CREDENTIALS_TOKEN_KEY) },
    { name: 'ORRERY_CREDENTIALS_TOKEN_FILE', value: `${CREDENTIALS_DIR}/token` },
    { name: 'ORRERY_CREDENTIALS_PORT', value: String(CREDENTIALS_PORT) },
    ...extraEnv,
  ],
  resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
  volumeMounts: [{ name: CREDENTIALS_VOLUME, mountPath: CREDENTIALS_DIR }],
  securityContext: SECURITY_CONTEXT,
});

/**
 * The pod-level security context: the home's group, and the runtime's default seccomp profile, which the server
 * namespace's `restricted` Pod Security level requires of every pod (executors' included).
 */
export const POD_SECURITY_CONTEXT = {
  fsGroup: HOME_FS_GROUP,
  // OnRootMismatch: the kubelet walks the volume only when its root is not yet the group's, so a home with many
  // files does not slow every launch.
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
};

/**
 * The pod of one Jupyter server: the notebook container, its activity reporter and its credentials sidecar, never
 * restarted (a relaunch is a new pod).
 *
 * Its service account has no EKS Pod Identity association (infra's compute-access stack binds only the runner's):
 * with one, the Pod Identity webhook would put its own AWS_CONTAINER_CREDENTIALS_FULL_URI and token file into every
 * container, shadowing the sidecar's with a role shared by every user's server.
 */
export const makeServerPod = (s: ServerPodSpec) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: metadataFor(s),
  spec: {
    restartPolicy: 'Never',
    serviceAccountName: drives(s) ? s.sparkDriverServiceAccount : s.serviceAccount,
    // Notebook users run arbitrary code: neither the API token nor every Service's address belongs in their
    // environment. The one exception is a Spark profile's server: its kernel is Spark's driver in client mode and
    // creates its executors' pods itself. The mounted token is bound to this pod (its name is the server id), which
    // the driver's admission policy reads to allow only this server's executors (see makeSparkDriverRole).
    automountServiceAccountToken: drives(s),
    enableServiceLinks: false,
    securityContext: POD_SECURITY_CONTEXT,
    nodeSelector: { ...s.pool.nodeSelector },
    tolerations: s.pool.tolerations.map((t) => ({ ...t })),
    containers: [notebookContainer(s), reporterContainer(s), makeCredentialsContainer(s)],
    // In memory: the token never touches the node's disk; it is a few dozen bytes. The home is the server's claim,
    // which outlives the pod: a relaunch mounts the same volume.
    volumes: [
      { name: CREDENTIALS_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      { name: HOME_VOLUME, persistentVolumeClaim: { claimName: homeClaimName(s.serverId) } },
      ...(drives(s) ? [sparkAuthVolume(s.serverId)] : []),
    ],
  },
});

/** What a home claim needs: the server, its namespace, and the volume its profile asks for. */
export type ServerHomeSpec = Pick<ServerPodSpec, 'serverId' | 'namespace' | 'owner' | 'name' | 'profile' | 'home'>;

/**
 * The PersistentVolumeClaim of a server's home: made on the first launch, kept by stops and culls, deleted only with
 * the server. Its class binds on first use (WaitForFirstConsumer), so the volume is made in the zone of the node the
 * first pod lands on; the PersistentVolume then carries that zone as node affinity, and the scheduler places every
 * later pod of the server in a zone where the volume can attach. No launch label: it belongs to every launch.
 */
export const makeServerHomeClaim = (s: ServerHomeSpec) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: {
    name: homeClaimName(s.serverId),
    namespace: s.namespace,
    labels: labelsFor({ serverId: s.serverId }),
    annotations: { 'orrery.dev/owner': s.owner, 'orrery.dev/name': s.name, 'orrery.dev/profile': s.profile },
  },
  spec: {
    accessModes: ['ReadWriteOnce'],
    storageClassName: s.home.storageClass,
    resources: { requests: { storage: formatMemory(s.home.size) } },
  },
});

/** The ClusterIP Service in front of a server's pod, which the proxy and the API server's service proxy reach. */
export const makeServerService = (s: ServerPodSpec) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: metadataFor(s),
  spec: {
    type: 'ClusterIP',
    selector: serverPodSelector(s.serverId),
    ports: [{ name: 'http', port: JUPYTER_PORT, targetPort: 'http', protocol: 'TCP' }],
  },
});

/**
 * The Secret that holds a server's tokens: the server token (Jupyter and the reporter read it through secretKeyRef),
 * the credentials token (only the credentials sidecar does) and, for a Spark profile's server, the launch's Spark
 * authentication secret (mounted as a file in the notebook container and in its executors' executor container).
 */
export const makeServerTokenSecret = (
  s: ServerSecretSpec,
  token: string,
  credentialsToken: string,
  sparkSecret?: string,
) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: s.serverId, namespace: s.namespace, labels: labelsFor(s) },
  type: 'Opaque',
  stringData: {
    [TOKEN_KEY]: token,
    [CREDENTIALS_TOKEN_KEY]: credentialsToken,
    ...(sparkSecret ? { [SPARK_AUTH_KEY]: sparkSecret } : {}),
  },
});
