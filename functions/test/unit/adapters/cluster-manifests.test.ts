import { load, loadAll } from 'js-yaml';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { describe, expect, it } from 'vitest';
import {
  makeClusterManifests,
  makeHomeStorageClass,
  makeServiceAccount,
  makeUserNamespace,
  renderClusterFiles,
} from '../../../src/adapters/k8s/cluster-manifests.ts';
import { groupRules, makeGroupRole, makeGroupRoleBinding } from '../../../src/adapters/k8s/cluster-rbac.ts';
import { CLUSTER_GROUP_KEYS, ClusterNetworkSchema, type ClusterSetup } from '../../../src/contracts/cluster-setup.ts';
import {
  makeApiServerIngress,
  makeDefaultDeny,
  makeProxyIngress,
  makeUserEgress,
} from '../../../src/adapters/k8s/network-policies.ts';

const setup: ClusterSetup = {
  name: 'orrery',
  serverNamespace: 'orrery-servers',
  runnerNamespace: 'orrery-runs',
  serverServiceAccount: 'orrery-server',
  runnerServiceAccount: 'orrery-runner',
  network: ClusterNetworkSchema.parse({ controlPlaneCidrs: ['10.0.0.0/28'], proxy: { cidrs: ['10.0.64.0/24'] } }),
};

const PART_OF = { 'app.kubernetes.io/part-of': 'orrery' };
const core = (resource: string, ...verbs: string[]) => ({ apiGroups: [''], resources: [resource], verbs });

// The schemas judge what goes on the wire: JSON, not the builders' TypeScript types.
const asSent = (manifest: object) => JSON.parse(JSON.stringify(manifest)) as Record<string, any>;

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  StorageClass,
  Namespace,
  ServiceAccount,
  Role,
  RoleBinding,
  NetworkPolicy,
};

/** An address as a number and its bit width, for CIDR arithmetic (IPv4 dotted, IPv6 with at most one `::`). */
const address = (ip: string): [bigint, number] => {
  if (!ip.includes(':')) return [ip.split('.').reduce((n, part) => (n << 8n) + BigInt(part), 0n), 32];
  const [head = '', tail] = ip.split('::');
  const words = (s: string) => (s ? s.split(':') : []);
  const all = [
    ...words(head),
    ...Array(8 - words(head).length - words(tail ?? '').length).fill('0'),
    ...words(tail ?? ''),
  ];
  return [all.reduce((n, w) => (n << 16n) + BigInt(parseInt(w, 16)), 0n), 128];
};

const inCidr = (ip: string, cidr: string): boolean => {
  const [base = '', bits = '0'] = cidr.split('/');
  const [a, width] = address(ip);
  const [b, baseWidth] = address(base);
  if (width !== baseWidth) return false;
  const shift = BigInt(width - Number(bits));
  return a >> shift === b >> shift;
};

/** Whether any egress rule of the policies lets a pod open `ip:port` over TCP (peers by address only). */
const egressAllows = (policies: Record<string, any>[], ip: string, port: number): boolean =>
  policies.some((p) =>
    (p.spec.egress ?? []).some(
      (rule: any) =>
        rule.ports.some((x: any) => x.protocol === 'TCP' && x.port === port) &&
        rule.to.some(
          (peer: any) =>
            peer.ipBlock &&
            inCidr(ip, peer.ipBlock.cidr) &&
            !(peer.ipBlock.except ?? []).some((e: string) => inCidr(ip, e)),
        ),
    ),
  );

describe('the function groups’ Roles', () => {
  it.each([
    [
      'serverApi',
      [
        core('persistentvolumeclaims', 'list', 'delete'),
        core('pods', 'get', 'list', 'delete', 'deletecollection'),
        core('secrets', 'create', 'update', 'delete'),
        core('services', 'create', 'delete'),
        { apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications'], verbs: ['list', 'delete'] },
      ],
    ],
    [
      'serverTasks',
      [
        core('persistentvolumeclaims', 'get', 'create'),
        core('pods', 'get', 'create', 'delete'),
        core('secrets', 'delete'),
        core('services', 'create', 'delete'),
        core('services/proxy', 'get'),
      ],
    ],
    [
      'culler',
      [
        core('pods', 'list', 'delete', 'deletecollection'),
        core('secrets', 'delete'),
        core('services', 'delete'),
        { apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications'], verbs: ['list', 'delete'] },
      ],
    ],
    ['runWorkflow', [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'create', 'delete'] }]],
  ] as const)('grants %s exactly the calls it makes', (key, expected) => {
    // Act
    const rules = groupRules(key);
    // Assess
    expect(rules).toEqual(expected);
  });

  it('lets no group read, list or watch a Secret, exec into or attach to a pod, or use a wildcard', () => {
    // Act
    const rules = CLUSTER_GROUP_KEYS.flatMap((key) => groupRules(key));
    // Assess
    const granted = rules.flatMap((r) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${res}`)));
    expect(granted.filter((g) => /^(get|list|watch) secrets$/.test(g))).toEqual([]);
    expect(granted.filter((g) => /pods\/(exec|attach|portforward|proxy)|\*/.test(g))).toEqual([]);
  });

  it('puts the run workflow’s Role in the runs namespace and every other one with the servers, each bound to its group', () => {
    // Act
    const roles = CLUSTER_GROUP_KEYS.map(
      (key) => [makeGroupRole(setup, key), makeGroupRoleBinding(setup, key)] as const,
    );
    // Assess
    expect(
      roles.map(([role, binding]) => [role.metadata.namespace, role.metadata.name, binding.subjects[0]!.name]),
    ).toEqual([
      ['orrery-servers', 'orrery-server-api', 'orrery:server-api'],
      ['orrery-servers', 'orrery-server-tasks', 'orrery:server-tasks'],
      ['orrery-servers', 'orrery-culler', 'orrery:culler'],
      ['orrery-runs', 'orrery-run-workflow', 'orrery:run-workflow'],
    ]);
    expect(makeGroupRoleBinding(setup, 'culler')).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'orrery-culler', namespace: 'orrery-servers', labels: PART_OF },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'orrery-culler' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'orrery:culler' }],
    });
  });
});

describe('the namespaces and service accounts', () => {
  it('enforces Pod Security baseline in a user namespace and warns against restricted', () => {
    // Act
    const ns = makeUserNamespace('orrery-runs');
    // Assess
    expect(ns).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'orrery-runs',
        labels: {
          ...PART_OF,
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
  });

  it('enforces Pod Security restricted where asked: the servers’ namespace, where Spark drivers create pods', () => {
    // Act
    const ns = makeUserNamespace('orrery-servers', 'restricted');
    // Assess
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('makes service accounts that mount no API token', () => {
    // Act
    const account = makeServiceAccount('orrery-server', 'orrery-servers');
    // Assess
    expect(account).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'orrery-server', namespace: 'orrery-servers', labels: PART_OF },
      automountServiceAccountToken: false,
    });
  });
});

describe('the NetworkPolicies', () => {
  it('denies every pod of a namespace all traffic by default', () => {
    // Act
    const policy = makeDefaultDeny('orrery-runs');
    // Assess
    expect(policy).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: 'orrery-runs', labels: PART_OF },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  });

  it('lets user pods out to DNS, the Pod Identity agent and public HTTPS, one address family per policy', () => {
    // Act
    const [v4, v6] = [
      makeUserEgress('orrery-servers', setup.network, 4),
      makeUserEgress('orrery-servers', setup.network, 6),
    ];
    // Assess
    const dns = {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    };
    expect(v4.metadata.name).toBe('allow-egress');
    expect(v4.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        dns,
        { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
        {
          to: [
            {
              ipBlock: {
                cidr: '0.0.0.0/0',
                except: ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'],
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: 443 }],
        },
      ],
    });
    expect(v6.metadata.name).toBe('allow-egress-ipv6');
    expect(v6.spec.egress.slice(1)).toEqual([
      { to: [{ ipBlock: { cidr: 'fd00:ec2::23/128' } }], ports: [{ protocol: 'TCP', port: 80 }] },
      {
        to: [{ ipBlock: { cidr: '::/0', except: ['fe80::/10', 'fd00:ec2::/32', 'fc00::/7'] } }],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
    ]);
  });

  it.each([
    ['the instance metadata service', '169.254.169.254', 80, false],
    ['the instance metadata service over HTTPS', '169.254.169.254', 443, false],
    ['the IPv6 instance metadata service', 'fd00:ec2::254', 80, false],
    ['the Pod Identity agent', '169.254.170.23', 80, true],
    ['the IPv6 Pod Identity agent', 'fd00:ec2::23', 80, true],
    ['another pod’s Jupyter', '10.0.42.7', 8888, false],
    ['a pod or the private API endpoint over HTTPS', '10.0.0.5', 443, false],
    ['a public HTTPS endpoint (S3, PyPI, the platform’s API)', '52.95.110.1', 443, true],
    ['a public HTTP endpoint', '52.95.110.1', 80, false],
    ['a public IPv6 HTTPS endpoint', '2600:1f18::1', 443, true],
  ])('lets a user pod reach %s: %s', (_what, ip, port, allowed) => {
    // Prepare
    const policies = [4, 6].map((family) => makeUserEgress('orrery-runs', setup.network, family as 4 | 6));
    // Act
    const reachable = egressAllows(policies, ip, port);
    // Assess
    expect(reachable).toBe(allowed);
  });

  it('opens Jupyter’s port on servers to the proxy’s pods and CIDRs only', () => {
    // Act
    const policy = makeProxyIngress(setup);
    // Assess
    expect(policy).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-proxy-to-servers', namespace: 'orrery-servers', labels: PART_OF },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orrery-server' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
                podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
              },
              { ipBlock: { cidr: '10.0.64.0/24' } },
            ],
            ports: [{ protocol: 'TCP', port: 8888 }],
          },
        ],
      },
    });
  });

  it('opens Jupyter’s port on servers to the control plane’s subnets, for the API server’s service proxy', () => {
    // Act
    const policy = makeApiServerIngress(setup);
    // Assess
    expect(policy.metadata.name).toBe('allow-api-server-to-servers');
    expect(policy.spec.ingress).toEqual([
      { from: [{ ipBlock: { cidr: '10.0.0.0/28' } }], ports: [{ protocol: 'TCP', port: 8888 }] },
    ]);
  });

  it('refuses to build the API server rule without CIDRs, which would admit everyone', () => {
    // Prepare
    const open = { ...setup, network: { ...setup.network, controlPlaneCidrs: [] } };
    // Act
    const build = () => makeApiServerIngress(open);
    // Assess
    expect(build).toThrow(/eks\.network\.controlPlaneCidrs is empty/);
  });
});

describe('makeHomeStorageClass', () => {
  it('makes encrypted gp3 EBS volumes that bind where their first pod lands, grow in place and go with their claim', () => {
    // Act
    const storageClass = makeHomeStorageClass();
    // Assess
    expect(storageClass).toEqual({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'orrery-gp3', labels: PART_OF },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
    });
  });
});

describe('makeClusterManifests and renderClusterFiles', () => {
  it('builds every object into the kustomization’s files, and every one validates', () => {
    // Act
    const files = makeClusterManifests(setup);
    // Assess
    expect(files.map((f) => [f.file, f.objects.map((o) => (o as { kind: string }).kind).join(',')])).toEqual([
      ['namespaces.yaml', 'Namespace,Namespace'],
      ['service-accounts.yaml', 'ServiceAccount,ServiceAccount,ServiceAccount,ServiceAccount'],
      ['storage.yaml', 'StorageClass'],
      ['rbac.yaml', 'Role,RoleBinding,Role,RoleBinding,Role,RoleBinding,Role,RoleBinding,Role,RoleBinding'],
      ['network-policies.yaml', Array(12).fill('NetworkPolicy').join(',')],
    ]);
    for (const object of files.flatMap((f) => f.objects).map(asSent)) {
      expect(() => new MODELS[object.kind]!(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('writes YAML that reads back as exactly the built objects, under a header that says how to make it again', () => {
    // Act
    const files = renderClusterFiles(setup, 'infra/orrery.config.json');
    // Assess
    expect(Object.keys(files)).toEqual([
      'kustomization.yaml',
      'namespaces.yaml',
      'service-accounts.yaml',
      'storage.yaml',
      'rbac.yaml',
      'network-policies.yaml',
    ]);
    expect(load(files['kustomization.yaml']!)).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['namespaces.yaml', 'service-accounts.yaml', 'storage.yaml', 'rbac.yaml', 'network-policies.yaml'],
    });
    for (const { file, objects } of makeClusterManifests(setup)) {
      expect(files[file]).toMatch(/^# Generated by `npm run k8s:manifests -- --config infra\/orrery\.config\.json`/);
      expect(loadAll(files[file]!)).toEqual(objects.map(asSent));
    }
  });
});
