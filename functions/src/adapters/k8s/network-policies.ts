import {
  LINK_LOCAL_CIDRS,
  POD_IDENTITY_AGENT_CIDRS,
  type ClusterNetwork,
  type ClusterSetup,
} from '../../contracts/cluster-setup.ts';
import { JUPYTER_PORT, SERVER_APP, SPARK_DRIVER_LABEL } from './server-manifests.ts';
import { SPARK_BLOCK_MANAGER_PORT, SPARK_DRIVER_PORT, SPARK_EXECUTOR_APP } from './spark-manifests.ts';

const API = 'networking.k8s.io/v1';
const PART_OF = { 'app.kubernetes.io/part-of': 'orrery' };
const tcp = (port: number) => ({ protocol: 'TCP', port });
const isV6 = (cidr: string) => cidr.includes(':');
const ipBlocks = (cidrs: string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
const metadata = (name: string, namespace: string) => ({ name, namespace, labels: { ...PART_OF } });
const inNamespace = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

/** Nothing in or out of any pod of the namespace unless another policy of the namespace allows it. */
export const makeDefaultDeny = (namespace: string) => ({
  apiVersion: API,
  kind: 'NetworkPolicy',
  metadata: metadata('default-deny', namespace),
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
});

const dnsRule = () => ({
  to: [{ namespaceSelector: inNamespace('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, tcp(53)],
});

/** IPv4 or IPv6: EKS clusters are single-stack, and older VPC CNI policy agents drop a policy that mixes families. */
export type IpFamily = 4 | 6;

/**
 * What user code may reach, one address family per policy: cluster DNS, the Pod Identity agent (port 80 on its
 * link-local address, so a pod can get its own role's credentials), and HTTPS anywhere outside the private and
 * link-local ranges (package indexes, S3, the platform's API, which is API Gateway's public endpoint). The instance
 * metadata service is in none of them. Each except lies inside its rule's CIDR, as the API requires.
 */
export const makeUserEgress = (namespace: string, network: ClusterNetwork, family: IpFamily) => {
  const ofFamily = (cidrs: string[]) => cidrs.filter((c) => isV6(c) === (family === 6));
  const except = ofFamily([...new Set([...LINK_LOCAL_CIDRS, ...network.privateCidrs])]);
  return {
    apiVersion: API,
    kind: 'NetworkPolicy',
    metadata: metadata(family === 4 ? 'allow-egress' : 'allow-egress-ipv6', namespace),
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        dnsRule(),
        { to: ipBlocks(ofFamily(POD_IDENTITY_AGENT_CIDRS)), ports: [tcp(80)] },
        { to: [{ ipBlock: { cidr: family === 4 ? '0.0.0.0/0' : '::/0', except } }], ports: [tcp(443)] },
      ],
    },
  };
};

const toServers = (name: string, namespace: string, from: object[]) => ({
  apiVersion: API,
  kind: 'NetworkPolicy',
  metadata: metadata(name, namespace),
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': SERVER_APP } },
    policyTypes: ['Ingress'],
    ingress: [{ from, ports: [tcp(JUPYTER_PORT)] }],
  },
});

/** Jupyter's port open to the proxy that serves users their servers (its pods, and its CIDRs if it is no pod). */
export const makeProxyIngress = (setup: ClusterSetup) => {
  const { proxy } = setup.network;
  const pods = {
    namespaceSelector: inNamespace(proxy.namespace),
    podSelector: { matchLabels: { ...proxy.podLabels } },
  };
  return toServers('allow-proxy-to-servers', setup.serverNamespace, [pods, ...ipBlocks(proxy.cidrs)]);
};

/**
 * Jupyter's port open to the API server's service proxy, which the launch task asks whether Jupyter answers. The API
 * server is no pod: on EKS it connects from the control plane's network interfaces in the cluster's subnets, so the
 * only handle a NetworkPolicy has on it is those subnets' CIDRs. A rule with no peers would admit everyone, so at
 * least one CIDR is required.
 */
export const makeApiServerIngress = (setup: ClusterSetup) => {
  const cidrs = setup.network.controlPlaneCidrs;
  if (cidrs.length === 0) {
    throw new Error(
      "eks.network.controlPlaneCidrs is empty: list the CIDRs of the subnets your cluster's control plane uses " +
        '(aws eks describe-cluster --query cluster.resourcesVpcConfig.subnetIds, then aws ec2 describe-subnets)',
    );
  }
  return toServers('allow-api-server-to-servers', setup.serverNamespace, ipBlocks(cidrs));
};

const drivers = { matchLabels: { [SPARK_DRIVER_LABEL]: 'true' } };
const executors = { matchLabels: { 'app.kubernetes.io/name': SPARK_EXECUTOR_APP } };

const sparkPolicy = (name: string, namespace: string, podSelector: object, spec: object) => ({
  apiVersion: API,
  kind: 'NetworkPolicy',
  metadata: metadata(name, namespace),
  spec: { podSelector, ...spec },
});

/**
 * Spark in client mode, inside the server namespace's default deny: executors connect to their driver (a Spark
 * profile's server pod) on the driver and block-manager ports, the driver and executors to executors' block managers
 * (results, shuffle), and drivers to the API server (they create their executors' pods), which on EKS answers from
 * the control plane's network interfaces. Pods of other sessions are allowed too (a policy cannot name "the same
 * session"): `spark.authenticate` keeps them out of each other's RPC.
 */
export const makeSparkPolicies = (setup: ClusterSetup) => {
  const ns = setup.serverNamespace;
  const driverPorts = [tcp(SPARK_DRIVER_PORT), tcp(SPARK_BLOCK_MANAGER_PORT)];
  const blockManager = [tcp(SPARK_BLOCK_MANAGER_PORT)];
  return [
    sparkPolicy('allow-spark-executors-to-drivers', ns, drivers, {
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: executors }], ports: driverPorts }],
    }),
    sparkPolicy('allow-spark-to-executors', ns, executors, {
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: executors }, { podSelector: drivers }], ports: blockManager }],
    }),
    sparkPolicy('allow-spark-executor-egress', ns, executors, {
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: drivers }], ports: driverPorts },
        { to: [{ podSelector: executors }], ports: blockManager },
      ],
    }),
    sparkPolicy('allow-spark-driver-egress', ns, drivers, {
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: executors }], ports: blockManager },
        // An empty `to` would allow every destination: no rule at all without the CIDRs.
        ...(setup.network.controlPlaneCidrs.length > 0
          ? [{ to: ipBlocks(setup.network.controlPlaneCidrs), ports: [tcp(443)] }]
          : []),
      ],
    }),
  ];
};
