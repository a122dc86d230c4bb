import { dump } from 'js-yaml';
import { DEFAULT_HOME_VOLUME } from '../../domain/profile.ts';
import { makeGroupRole, makeGroupRoleBinding } from './cluster-rbac.ts';
import { CLUSTER_DEFAULTS, CLUSTER_GROUP_KEYS, type ClusterSetup } from '../../contracts/cluster-setup.ts';
import {
  makeApiServerIngress,
  makeDefaultDeny,
  makeProxyIngress,
  makeSparkPolicies,
  makeUserEgress,
} from './network-policies.ts';
import { makeSparkDriverPolicy, makeSparkDriverPolicyBinding, type SparkAdmissionSpec } from './spark-admission.ts';
import { makeSparkDriverRole, makeSparkDriverRoleBinding } from './spark-manifests.ts';

const PART_OF = { 'app.kubernetes.io/part-of': 'orrery' };

/** The Pod Security admission level a namespace enforces. */
export type PodSecurityLevel = 'baseline' | 'restricted';

/**
 * A namespace for user code. Pod Security admission enforces `baseline` (no privileged, host-network or hostPath
 * pods, whoever asks to create them) and warns and audits against `restricted`. The servers' namespace enforces
 * `restricted` (non-root, no capabilities, the runtime's seccomp profile): Spark profiles' notebooks hold a token
 * that creates pods there (makeSparkDriverRole), and whatever they create must be as tame as the server pods.
 */
export const makeUserNamespace = (name: string, enforce: PodSecurityLevel = 'baseline') => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name,
    labels: {
      ...PART_OF,
      'pod-security.kubernetes.io/enforce': enforce,
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    },
  },
});

/** The service account pods run as (Pod Identity binds a role to it); it mounts no API token. */
export const makeServiceAccount = (name: string, namespace: string) => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace, labels: { ...PART_OF } },
  automountServiceAccountToken: false,
});

/** The default home StorageClass's name: the profiles' `home.storageClass` unless they name another. */
export const HOME_STORAGE_CLASS = DEFAULT_HOME_VOLUME.storageClass;

/**
 * The StorageClass of server homes: encrypted gp3 EBS volumes through the EBS CSI driver. WaitForFirstConsumer makes
 * each volume in the zone of the node its first pod is scheduled to (not a random zone no node of the pool is in);
 * the volume's node affinity then keeps later pods in that zone. Expansion is allowed, so an admin can grow a claim
 * in place; Delete: deleting the claim (deleting the server) deletes the EBS volume, which nothing else would.
 */
export const makeHomeStorageClass = (name: string = HOME_STORAGE_CLASS) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, labels: { ...PART_OF } },
  provisioner: 'ebs.csi.aws.com',
  parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
  volumeBindingMode: 'WaitForFirstConsumer',
  allowVolumeExpansion: true,
  reclaimPolicy: 'Delete',
});

/** One YAML file of the kustomization and the objects in it. */
export interface ClusterManifestFile {
  file: string;
  objects: object[];
}

const sparkAdmissionOf = (setup: ClusterSetup): SparkAdmissionSpec => ({
  namespace: setup.serverNamespace,
  driverServiceAccount: CLUSTER_DEFAULTS.sparkDriverServiceAccount,
  executorServiceAccount: CLUSTER_DEFAULTS.sparkExecutorServiceAccount,
});

/** Every object Orrery needs in the cluster before its first deploy, grouped into the kustomization's files. */
export const makeClusterManifests = (setup: ClusterSetup): ClusterManifestFile[] => [
  {
    file: 'namespaces.yaml',
    objects: [makeUserNamespace(setup.serverNamespace, 'restricted'), makeUserNamespace(setup.runnerNamespace)],
  },
  {
    file: 'service-accounts.yaml',
    objects: [
      makeServiceAccount(setup.serverServiceAccount, setup.serverNamespace),
      // Both mount no token by default; Spark profiles' server pods ask for the driver's (makeServerPod).
      makeServiceAccount(CLUSTER_DEFAULTS.sparkDriverServiceAccount, setup.serverNamespace),
      makeServiceAccount(CLUSTER_DEFAULTS.sparkExecutorServiceAccount, setup.serverNamespace),
      makeServiceAccount(setup.runnerServiceAccount, setup.runnerNamespace),
    ],
  },
  { file: 'storage.yaml', objects: [makeHomeStorageClass()] },
  {
    file: 'rbac.yaml',
    objects: [
      ...CLUSTER_GROUP_KEYS.flatMap((k) => [makeGroupRole(setup, k), makeGroupRoleBinding(setup, k)]),
      makeSparkDriverRole(setup.serverNamespace),
      makeSparkDriverRoleBinding(setup.serverNamespace, CLUSTER_DEFAULTS.sparkDriverServiceAccount),
    ],
  },
  {
    // Cluster-scoped, Kubernetes 1.30+: what the Spark driver's Role lets a notebook write, narrowed to its server.
    file: 'admission.yaml',
    objects: [makeSparkDriverPolicy(sparkAdmissionOf(setup)), makeSparkDriverPolicyBinding(sparkAdmissionOf(setup))],
  },
  {
    file: 'network-policies.yaml',
    objects: [
      makeDefaultDeny(setup.serverNamespace),
      makeUserEgress(setup.serverNamespace, setup.network, 4),
      makeUserEgress(setup.serverNamespace, setup.network, 6),
      makeProxyIngress(setup),
      makeApiServerIngress(setup),
      ...makeSparkPolicies(setup),
      makeDefaultDeny(setup.runnerNamespace),
      makeUserEgress(setup.runnerNamespace, setup.network, 4),
      makeUserEgress(setup.runnerNamespace, setup.network, 6),
    ],
  },
];

/** The first lines of every generated file: where it comes from and how to make it again. */
export const generatedHeader = (configPath: string): string =>
  `# Generated by \`npm run k8s:manifests -- --config ${configPath}\`\n` +
  '# from the builders in functions/src/adapters/k8s/. Do not edit: change those or the configuration and generate.\n';

const yaml = (objects: object[]) =>
  objects.map((o) => dump(o, { lineWidth: -1, noRefs: true, quotingType: '"' })).join('---\n');

/** The kustomization (`kubectl apply -k <dir>`) as file name → text, built from `configPath`'s setup. */
export const renderClusterFiles = (setup: ClusterSetup, configPath: string): Record<string, string> => {
  const manifests = makeClusterManifests(setup);
  const header = generatedHeader(configPath);
  const resources = manifests.map((m) => m.file);
  const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
  return {
    'kustomization.yaml': header + yaml([kustomization]),
    ...Object.fromEntries(manifests.map((m) => [m.file, header + yaml(m.objects)])),
  };
};
