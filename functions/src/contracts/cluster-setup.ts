import * as z from 'zod';

/** Default namespaces and service accounts: the functions' environment and the infra config both default to them. */
export const CLUSTER_DEFAULTS = {
  serverNamespace: 'orrery-servers',
  runnerNamespace: 'orrery-runs',
  serverServiceAccount: 'orrery-server',
  runnerServiceAccount: 'orrery-runner',
  /** Fixed names (not configured): Spark profiles' server pods (token mounted) and executor pods (none). */
  sparkDriverServiceAccount: 'orrery-spark-driver',
  sparkExecutorServiceAccount: 'orrery-spark-executor',
} as const;

/** The function groups that call the Kubernetes API; each gets its own Kubernetes group and Role. */
export const CLUSTER_GROUP_KEYS = ['serverApi', 'serverTasks', 'culler', 'runWorkflow'] as const;

/** One function group that calls the Kubernetes API. */
export type ClusterGroupKey = (typeof CLUSTER_GROUP_KEYS)[number];

const GROUP_SUFFIX: Record<ClusterGroupKey, string> = {
  serverApi: 'server-api',
  serverTasks: 'server-tasks',
  culler: 'culler',
  runWorkflow: 'run-workflow',
};

/**
 * The Kubernetes group an EKS access entry puts a function group's role in (`<name>:server-api`, …). The
 * deployment's name is part of it, so two deployments sharing a cluster never bind into each other's namespaces.
 */
export const clusterGroupName = (name: string, key: ClusterGroupKey): string => `${name}:${GROUP_SUFFIX[key]}`;

/** The proxy serving users their servers (`serverPublicUrl`): its pods' namespace and labels, or its addresses. */
export interface ServerProxy {
  namespace: string;
  podLabels: Record<string, string>;
  /** For a proxy that is not a pod (an ALB in IP mode): the CIDRs its traffic comes from. */
  cidrs: string[];
}

/** What the NetworkPolicies need to know about the cluster's network. */
export interface ClusterNetwork {
  /**
   * The CIDRs of the subnets holding the EKS control plane's network interfaces: the API server's service proxy,
   * which the launch task reaches Jupyter through, connects to pods from there.
   */
  controlPlaneCidrs: string[];
  proxy: ServerProxy;
  /** Ranges user pods may not reach even over HTTPS: the VPC, pod and Service ranges, the private API endpoint. */
  privateCidrs: string[];
}

/** Everything the cluster objects are built from: the deployment's name, namespaces, service accounts and network. */
export interface ClusterSetup {
  name: string;
  serverNamespace: string;
  runnerNamespace: string;
  serverServiceAccount: string;
  runnerServiceAccount: string;
  network: ClusterNetwork;
}

/** The default proxy: ingress-nginx's controller pods. A selector matching nothing shuts servers off, never open. */
export const DEFAULT_SERVER_PROXY: ServerProxy = {
  namespace: 'ingress-nginx',
  podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
  cidrs: [],
};

/** RFC 1918, carrier-grade NAT (VPC CNI custom networking) and IPv6 unique-local ranges. */
export const DEFAULT_PRIVATE_CIDRS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

/** The EKS Pod Identity agent on every node (port 80), which hands pods their own role's credentials. */
export const POD_IDENTITY_AGENT_CIDRS = ['169.254.170.23/32', 'fd00:ec2::23/128'];

/** Link-local and EC2's own IPv6 range, home of the instance metadata service (the node's role): never reachable. */
export const LINK_LOCAL_CIDRS = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::/32'];

const Cidr = z.union([z.cidrv4(), z.cidrv6()], { error: 'a CIDR such as 10.0.0.0/16 or fd00::/8' });

/** A Kubernetes namespace name (a DNS label). */
export const NamespaceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace name: lowercase letters, digits and dashes')
  .max(63);

/** `eks.network` in the deployment's configuration; every field has a default but the control plane's CIDRs. */
export const ClusterNetworkSchema = z.object({
  controlPlaneCidrs: z.array(Cidr).default([]),
  proxy: z
    .object({
      namespace: NamespaceName.default(DEFAULT_SERVER_PROXY.namespace),
      podLabels: z.record(z.string(), z.string()).default(() => ({ ...DEFAULT_SERVER_PROXY.podLabels })),
      cidrs: z.array(Cidr).default([]),
    })
    .prefault({}),
  privateCidrs: z.array(Cidr).default(() => [...DEFAULT_PRIVATE_CIDRS]),
});
