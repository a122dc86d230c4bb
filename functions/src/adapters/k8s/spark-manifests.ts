import { createHash } from 'node:crypto';
import type { SparkSessionSpec } from '../../ports/spark-compute.ts';
import {
  CREDENTIALS_DIR,
  CREDENTIALS_PORT,
  CREDENTIALS_VOLUME,
  POD_SECURITY_CONTEXT,
  SECURITY_CONTEXT,
  SERVER_LABEL,
  SPARK_AUTH_FILE,
  SPARK_AUTH_MOUNT,
  makeCredentialsContainer,
  serverPodSelector,
  sparkAuthVolume,
} from './server-manifests.ts';

// Spark in client mode on EKS: the notebook's kernel is the driver, in the server's pod; executors are pods the driver
// creates from the template below. Everything here is pure and tested against literal objects.

/** The label every executor and driver Service of one session carries (teardown deletes by it). */
export const SESSION_LABEL = 'orrery.dev/session';

/** The owner, made a valid label value (`ada@example.com` is not one); the exact id is in an annotation. */
export const USER_LABEL = 'orrery.dev/user';

/**
 * The `app.kubernetes.io/name` of executor pods: Spark's NetworkPolicies select it, the server's Service never
 * does.
 */
export const SPARK_EXECUTOR_APP = 'orrery-spark-executor';

/** The driver's RPC port, fixed so the headless Service and the NetworkPolicies can name it. */
export const SPARK_DRIVER_PORT = 7078;

/** The block manager's port, the driver's and every executor's (executors fetch shuffle blocks from each other). */
export const SPARK_BLOCK_MANAGER_PORT = 7079;

/** The Spark UI's port in the server's pod; users reach it through Jupyter's proxy (jupyter-server-proxy). */
export const SPARK_UI_PORT = 4040;

/** The executor container's name in the template (Spark's own default, said explicitly in the conf). */
export const EXECUTOR_CONTAINER = 'spark-kubernetes-executor';

/** The API server as pods see it. */
export const SPARK_MASTER = 'k8s://https://kubernetes.default.svc:443';

const MAX_POD_NAME_PREFIX = 47;

/** What the builders need beyond the session: the namespace, the executors' account, the sidecar's image. */
export interface SparkPlacementSpec extends SparkSessionSpec {
  namespace: string;
  executorServiceAccount: string;
  /** The credentials sidecar's image (the notebook-runner image), as in the server's pod. */
  credentialsImage: string;
}

const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;

/** A label value for a user id: the id itself when it is one, else a cleaned prefix and a hash of the exact id. */
export const userLabelValue = (owner: string): string => {
  if (LABEL_VALUE.test(owner)) return owner;
  const hash = createHash('sha256').update(owner).digest('hex').slice(0, 8);
  const clean = owner
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, 54)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return clean ? `${clean}-${hash}` : hash;
};

/** The headless driver Service's name: the session id is a short DNS label, so this stays within 63. */
export const driverServiceName = (sessionId: string): string => `spark-${sessionId}`.slice(0, 63);

/** Executors' labels: the server (stopSparkApplications selects it), the session (stopSession), the user. */
export const executorLabels = (s: Pick<SparkSessionSpec, 'serverId' | 'sessionId' | 'owner'>) => ({
  [SERVER_LABEL]: s.serverId,
  [SESSION_LABEL]: s.sessionId,
  [USER_LABEL]: userLabelValue(s.owner),
});

/**
 * The executor container's command. Profiles' Spark images are Jupyter's pyspark-notebook, whose entrypoint starts
 * Jupyter, not Spark's `entrypoint.sh executor`: this does what that script does, from the variables Spark sets on
 * the executor container (the JVM options as SPARK_JAVA_OPT_<n>, the heap, the driver's URL, the executor's id).
 */
export const EXECUTOR_COMMAND = [
  'bash',
  '-c',
  [
    'set -eo pipefail',
    'set --',
    'while IFS= read -r opt; do set -- "$@" "$opt"; done' +
      " < <(env | grep '^SPARK_JAVA_OPT_' | sort -t_ -k4 -n | sed 's/[^=]*=//')",
    'exec java "$@" -Xms"$SPARK_EXECUTOR_MEMORY" -Xmx"$SPARK_EXECUTOR_MEMORY"' +
      ' -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*" org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend' +
      ' --driver-url "$SPARK_DRIVER_URL" --executor-id "$SPARK_EXECUTOR_ID" --cores "$SPARK_EXECUTOR_CORES"' +
      ' --app-id "$SPARK_APPLICATION_ID" --hostname "$SPARK_EXECUTOR_POD_IP"' +
      ' --resourceProfileId "$SPARK_RESOURCE_PROFILE_ID" --podName "$SPARK_EXECUTOR_POD_NAME"',
  ].join('\n'),
];

const executorContainer = (s: SparkPlacementSpec) => ({
  name: EXECUTOR_CONTAINER,
  image: s.sizing.image,
  command: EXECUTOR_COMMAND,
  // Spark adds its own variables, resources and ports to this container; these two point every AWS SDK at the
  // sidecar, which holds the session's keys (the token file, never the token, in the environment).
  env: [
    { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: `http://127.0.0.1:${CREDENTIALS_PORT}/credentials` },
    { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: `${CREDENTIALS_DIR}/token` },
  ],
  // The launch's Spark secret, as the driver reads it: Spark then puts none in the executor's environment.
  volumeMounts: [{ name: CREDENTIALS_VOLUME, mountPath: CREDENTIALS_DIR, readOnly: true }, { ...SPARK_AUTH_MOUNT }],
  securityContext: SECURITY_CONTEXT,
});

/**
 * The executor pod template Spark reads (`spark.kubernetes.executor.podTemplateFile`, written by the notebook
 * helper): the session's labels, the pool's placement, an account with no API token, the launch's Spark secret as a
 * file, and the server's credentials sidecar asking for the session's role. Both come from the server's Secret, which
 * any pod of the namespace may mount (and the only one the admission policy lets executors name); the sidecar is a
 * plain container, as in the server's pod: Spark deletes executor
 * pods itself (scale-down, stop) and Kubernetes with the server's pod, their owner.
 */
export const makeExecutorPodTemplate = (s: SparkPlacementSpec) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    labels: {
      'app.kubernetes.io/name': SPARK_EXECUTOR_APP,
      'app.kubernetes.io/managed-by': 'orrery',
      'spark-role': 'executor',
      ...executorLabels(s),
    },
    annotations: { 'orrery.dev/owner': s.owner, 'orrery.dev/name': s.serverName },
  },
  spec: {
    restartPolicy: 'Never',
    serviceAccountName: s.executorServiceAccount,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: { seccompProfile: POD_SECURITY_CONTEXT.seccompProfile },
    nodeSelector: { ...s.pool.nodeSelector },
    tolerations: s.pool.tolerations.map((t) => ({ ...t })),
    containers: [
      executorContainer(s),
      makeCredentialsContainer({ ...s, name: s.serverName }, [{ name: 'ORRERY_SPARK_SESSION', value: s.sessionId }]),
    ],
    volumes: [
      { name: CREDENTIALS_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      sparkAuthVolume(s.serverId),
    ],
  },
});

/**
 * The headless Service that gives the driver (the server's pod, and only it: executors carry the server label too) a
 * DNS name executors connect to, on the fixed driver and block-manager ports. Addresses are published before the
 * pod is Ready, since readiness is Jupyter's, not Spark's.
 */
export const makeDriverService = (s: SparkPlacementSpec, owner?: { uid: string }) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: driverServiceName(s.sessionId),
    namespace: s.namespace,
    labels: { 'app.kubernetes.io/managed-by': 'orrery', ...executorLabels(s) },
    // Owned by the server's pod: the Service goes with it, however the server ends.
    ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: s.serverId, uid: owner.uid }] } : {}),
  },
  spec: {
    clusterIP: 'None',
    publishNotReadyAddresses: true,
    selector: serverPodSelector(s.serverId),
    ports: [
      { name: 'driver-rpc', port: SPARK_DRIVER_PORT, targetPort: SPARK_DRIVER_PORT, protocol: 'TCP' },
      { name: 'blockmanager', port: SPARK_BLOCK_MANAGER_PORT, targetPort: SPARK_BLOCK_MANAGER_PORT, protocol: 'TCP' },
    ],
  },
});

/** Executor pod names are `<prefix>-exec-<n>`; Spark refuses a prefix over 47 characters. */
export const executorPodNamePrefix = (sessionId: string): string =>
  `spark-${sessionId}`.slice(0, MAX_POD_NAME_PREFIX).replace(/-+$/, '');

/** The conf that places a session's executors, added to the sizing's. */
export const sparkPlacementConf = (s: SparkPlacementSpec): Record<string, string> => {
  const labels = Object.entries(executorLabels(s)).map(([k, v]) => [`spark.kubernetes.executor.label.${k}`, v]);
  return {
    'spark.master': SPARK_MASTER,
    'spark.submit.deployMode': 'client',
    'spark.kubernetes.namespace': s.namespace,
    'spark.kubernetes.container.image': s.sizing.image,
    'spark.kubernetes.container.image.pullPolicy': 'IfNotPresent',
    'spark.kubernetes.authenticate.executor.serviceAccountName': s.executorServiceAccount,
    'spark.driver.host': `${driverServiceName(s.sessionId)}.${s.namespace}.svc`,
    'spark.driver.port': String(SPARK_DRIVER_PORT),
    'spark.driver.blockManager.port': String(SPARK_BLOCK_MANAGER_PORT),
    'spark.blockManager.port': String(SPARK_BLOCK_MANAGER_PORT),
    'spark.driver.bindAddress': '0.0.0.0',
    // Executors get the server's pod as owner: Kubernetes deletes them with it.
    'spark.kubernetes.driver.pod.name': s.serverId,
    'spark.kubernetes.executor.podNamePrefix': executorPodNamePrefix(s.sessionId),
    'spark.kubernetes.executor.podTemplateContainerName': EXECUTOR_CONTAINER,
    ...Object.fromEntries(labels),
    'spark.app.id': s.appId,
    'spark.ui.port': String(SPARK_UI_PORT),
    // A shared secret: another user's executors, in the same namespace and allowed to the driver ports by the
    // NetworkPolicies, cannot talk to this driver. It is the launch's, a file from the server's Secret in the driver
    // and in every executor (the template mounts it), not one Spark makes and puts in executors' pod specs, which
    // every Spark profile's user may read. All three keys: the driver reads `.driver.file`, the executor's SparkEnv
    // `.executor.file` (set, it keeps Spark from adding SPARK_AUTHENTICATE_SECRET), and the executor's first
    // connection, which fetches the driver's conf, the plain `.file`.
    'spark.authenticate': 'true',
    'spark.authenticate.secret.file': SPARK_AUTH_FILE,
    'spark.authenticate.secret.driver.file': SPARK_AUTH_FILE,
    'spark.authenticate.secret.executor.file': SPARK_AUTH_FILE,
    // The driver's Role holds pods only (SPARK_DRIVER_RULES): no executor ConfigMap (Spark's own would carry no server
    // label, and creating it fails the session's start), no claims to own or reuse, no Services to clean up (the
    // driver Service is the API's). Executors read the image's Spark configuration instead of the driver's.
    'spark.kubernetes.executor.disableConfigMap': 'true',
    'spark.kubernetes.driver.ownPersistentVolumeClaim': 'false',
    'spark.kubernetes.driver.reusePersistentVolumeClaim': 'false',
    'spark.kubernetes.driver.service.deleteOnTermination': 'false',
  };
};

/** The Spark UI through the server's Jupyter proxy: `<server URL or base path>proxy/4040/jobs/`. */
export const sparkUiLink = (s: Pick<SparkSessionSpec, 'serverUrl' | 'basePath'>): string => {
  const base = s.serverUrl || s.basePath;
  return `${base.endsWith('/') ? base : `${base}/`}proxy/${SPARK_UI_PORT}/jobs/`;
};

const RBAC_API = 'rbac.authorization.k8s.io';
const PART_OF = { 'app.kubernetes.io/part-of': 'orrery' };

/** The names of the Spark driver's Role and RoleBinding. */
export const SPARK_DRIVER_ROLE = 'orrery-spark-driver';

/**
 * What Spark's client-mode driver does in the namespace, and no more: reads its own pod
 * (`spark.kubernetes.driver.pod.name`, the executors' owner), watches and lists its executors, creates them, and
 * deletes them by name or by label (deletecollection). No patch: Spark patches executor pods only for options
 * Orrery leaves off (decommission labels, deletion cost, the StatefulSet allocator's ids), and logs the refusal.
 * Nothing on ConfigMaps, claims or Services: sparkPlacementConf turns off what would make them. No Secrets.
 */
export const SPARK_DRIVER_RULES = [
  {
    apiGroups: [''],
    resources: ['pods'],
    verbs: ['get', 'list', 'watch', 'create', 'delete', 'deletecollection'],
  },
];

/**
 * The Role of Spark profiles' server pods. Its token is mounted in the notebook container, so notebook code may use
 * it directly, not only through Spark. RBAC cannot say "only your own pods", so the ValidatingAdmissionPolicy of
 * spark-admission.ts does: every pod this account creates must be an executor of the calling server (its
 * `orrery.dev/server` label, the executor account, no Secret but the server's own), and it deletes only pods of
 * that server. Reading stays namespace-wide (list and watch cannot be narrowed by label): see docs/spark.md.
 */
export const makeSparkDriverRole = (namespace: string) => ({
  apiVersion: `${RBAC_API}/v1`,
  kind: 'Role',
  metadata: { name: SPARK_DRIVER_ROLE, namespace, labels: { ...PART_OF } },
  rules: SPARK_DRIVER_RULES.map((r) => ({ ...r })),
});

/** Binds the driver's Role to the driver's service account. */
export const makeSparkDriverRoleBinding = (namespace: string, serviceAccount: string) => ({
  apiVersion: `${RBAC_API}/v1`,
  kind: 'RoleBinding',
  metadata: { name: SPARK_DRIVER_ROLE, namespace, labels: { ...PART_OF } },
  roleRef: { apiGroup: RBAC_API, kind: 'Role', name: SPARK_DRIVER_ROLE },
  subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
});
