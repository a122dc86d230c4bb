import type { ServerCompute } from '../../ports/server-compute.ts';
import type { SparkCompute } from '../../ports/spark-compute.ts';
import { clusterGroupName, type ClusterGroupKey, type ClusterSetup } from '../../contracts/cluster-setup.ts';

/** One RBAC rule: verbs on resources of one API group. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The API group of the Spark operator's SparkApplications. */
export const SPARK_API_GROUP = 'sparkoperator.k8s.io';

const RBAC_API = 'rbac.authorization.k8s.io';
const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const PART_OF = { 'app.kubernetes.io/part-of': 'orrery' };

const rule = (apiGroup: string, resource: string, ...verbs: string[]): PolicyRule => ({
  apiGroups: [apiGroup],
  resources: [resource],
  verbs,
});

/**
 * The Kubernetes API calls each KubernetesServerCompute operation makes, as RBAC rules. Secrets are created,
 * replaced (a relaunch's new token) and deleted, never read or listed: the live tokens stay out of reach.
 */
export const COMPUTE_OPERATION_RULES: Record<keyof ServerCompute, PolicyRule[]> = {
  putToken: [rule('', 'secrets', 'create', 'update')],
  // `get` reads back a pod that already exists, to refuse one left by an earlier launch, and a home claim that
  // already exists, to refuse one still being deleted (a 409 otherwise means an earlier launch made it).
  create: [
    rule('', 'persistentvolumeclaims', 'create', 'get'),
    rule('', 'pods', 'create', 'get'),
    rule('', 'services', 'create'),
  ],
  observe: [rule('', 'pods', 'get'), rule('', 'services/proxy', 'get')],
  remove: [rule('', 'pods', 'delete'), rule('', 'services', 'delete'), rule('', 'secrets', 'delete')],
  deleteHome: [rule('', 'persistentvolumeclaims', 'delete')],
  listHomes: [rule('', 'persistentvolumeclaims', 'list')],
  describeHome: [],
  stopSparkApplications: [
    rule(SPARK_API_GROUP, 'sparkapplications', 'list', 'delete'),
    rule('', 'pods', 'list', 'delete'),
  ],
};

/** Which operations each server-side function group runs (the use cases its handlers call). */
export const GROUP_OPERATIONS: Record<Exclude<ClusterGroupKey, 'runWorkflow'>, (keyof ServerCompute)[]> = {
  // Launch stores the token; stop and a server's own end request tear down (endServer); deleting a server deletes
  // its home; the admins' list of unused volumes (GET /admin/volumes, served here for this access) lists homes.
  serverApi: ['putToken', 'remove', 'stopSparkApplications', 'deleteHome', 'listHomes'],
  // The launch workflow's task: create, follow to ready, clean up a failed launch.
  serverTasks: ['create', 'observe', 'remove'],
  culler: ['remove', 'stopSparkApplications', 'describeHome'],
};

/**
 * The Kubernetes API calls each KubernetesSparkCompute operation makes. Starting reads the server's pod (its uid
 * makes it the driver Service's owner) and creates the Service; stopping deletes the session's executors by label
 * (deletecollection) and the Service.
 */
export const SPARK_OPERATION_RULES: Record<keyof SparkCompute, PolicyRule[]> = {
  startSession: [rule('', 'pods', 'get'), rule('', 'services', 'create')],
  stopSession: [rule('', 'pods', 'deletecollection'), rule('', 'services', 'delete')],
};

/** Which Spark operations each server-side function group runs: the routes start and stop; the culler stops. */
export const GROUP_SPARK_OPERATIONS: Record<Exclude<ClusterGroupKey, 'runWorkflow'>, (keyof SparkCompute)[]> = {
  serverApi: ['startSession', 'stopSession'],
  serverTasks: [],
  culler: ['stopSession'],
};

/**
 * The run and stop-run state machines: eks:runJob.sync creates the runner Job and reads it until it ends
 * (no LogOptions, so no pods/log); eks:call deletes it (Foreground: the garbage collector removes its pod).
 */
export const RUN_WORKFLOW_RULES: PolicyRule[] = [rule('batch', 'jobs', 'create', 'get', 'delete')];

/** One rule per API group and resource, verbs joined in a fixed order, sorted: the same rules always read the same. */
export const mergeRules = (rules: PolicyRule[]): PolicyRule[] => {
  const verbs = new Map<string, Set<string>>();
  for (const r of rules) {
    for (const group of r.apiGroups) {
      for (const resource of r.resources) {
        const key = `${group}\u0000${resource}`;
        verbs.set(key, new Set([...(verbs.get(key) ?? []), ...r.verbs]));
      }
    }
  }
  return [...verbs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, set]) => {
      const [group, resource] = key.split('\u0000') as [string, string];
      return rule(group, resource, ...VERB_ORDER.filter((v) => set.has(v)));
    });
};

/** The rules of one function group's Role. */
export const groupRules = (key: ClusterGroupKey): PolicyRule[] =>
  mergeRules(
    key === 'runWorkflow'
      ? RUN_WORKFLOW_RULES
      : [
          ...GROUP_OPERATIONS[key].flatMap((o) => COMPUTE_OPERATION_RULES[o]),
          ...GROUP_SPARK_OPERATIONS[key].flatMap((o) => SPARK_OPERATION_RULES[o]),
        ],
  );

/** The namespace a function group works in: runner Jobs in the runs namespace, everything else with the servers. */
export const groupNamespace = (setup: ClusterSetup, key: ClusterGroupKey): string =>
  key === 'runWorkflow' ? setup.runnerNamespace : setup.serverNamespace;

const roleName = (setup: ClusterSetup, key: ClusterGroupKey): string =>
  clusterGroupName(setup.name, key).replace(':', '-');

/** A namespaced Role with exactly a function group's rules. */
export const makeGroupRole = (setup: ClusterSetup, key: ClusterGroupKey) => ({
  apiVersion: `${RBAC_API}/v1`,
  kind: 'Role',
  metadata: { name: roleName(setup, key), namespace: groupNamespace(setup, key), labels: { ...PART_OF } },
  rules: groupRules(key),
});

/** Binds a function group's Role to the Kubernetes group its EKS access entry names. */
export const makeGroupRoleBinding = (setup: ClusterSetup, key: ClusterGroupKey) => ({
  apiVersion: `${RBAC_API}/v1`,
  kind: 'RoleBinding',
  metadata: { name: roleName(setup, key), namespace: groupNamespace(setup, key), labels: { ...PART_OF } },
  roleRef: { apiGroup: RBAC_API, kind: 'Role', name: roleName(setup, key) },
  subjects: [{ apiGroup: RBAC_API, kind: 'Group', name: clusterGroupName(setup.name, key) }],
});
