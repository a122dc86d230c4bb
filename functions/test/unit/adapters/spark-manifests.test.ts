import { Pod } from 'kubernetes-models/v1/Pod';
import { Service } from 'kubernetes-models/v1/Service';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { describe, expect, it } from 'vitest';
import { makeServerPod } from '../../../src/adapters/k8s/server-manifests.ts';
import {
  EXECUTOR_COMMAND,
  executorPodNamePrefix,
  makeDriverService,
  makeExecutorPodTemplate,
  makeSparkDriverRole,
  makeSparkDriverRoleBinding,
  sparkPlacementConf,
  sparkUiLink,
  userLabelValue,
  type SparkPlacementSpec,
} from '../../../src/adapters/k8s/spark-manifests.ts';
import type { SparkSizing } from '../../../src/domain/spark-session.ts';
import { CPU_LAUNCH_SPEC } from '../../support/server-specs.ts';

const SERVER = 'jupyter-ada-example-com--default-1a2b3c4d';
const IMAGE = 'quay.io/jupyter/pyspark-notebook:2025-06-30';
const POOL = {
  name: 'spot',
  image: IMAGE,
  allowedImages: [],
  nodeSelector: { 'orrery.dev/pool': 'spark-spot' },
  tolerations: [{ key: 'orrery.dev/spot', operator: 'Exists' as const, effect: 'NoSchedule' as const }],
  pricePerCoreHour: 0.02,
};
const SIZING = { pool: POOL, image: IMAGE, conf: {} } as unknown as SparkSizing;

const spec: SparkPlacementSpec = {
  sessionId: 's7k2m9q4',
  appId: 'spark-s7k2m9q4',
  serverId: SERVER,
  serverName: 'default',
  owner: 'ada@example.com',
  basePath: '/user/ada@example.com/default/',
  serverUrl: '',
  apiUrl: 'https://api.orrery.test',
  pool: POOL,
  sizing: SIZING,
  namespace: 'orrery-servers',
  executorServiceAccount: 'orrery-spark-executor',
  credentialsImage: 'orrery/notebook-runner:2026.1',
};

const SECURITY = {
  runAsNonRoot: true,
  runAsUser: 1000,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

const ADA = 'ada-example.com-b5fc85e5';

// The schemas judge what goes on the wire: JSON, not the builders' TypeScript types.
const asSent = (manifest: object) => JSON.parse(JSON.stringify(manifest));

describe('makeExecutorPodTemplate', () => {
  it('labels executors with server, session and user, places them on the pool, and gives them the sidecar', () => {
    // Act
    const template = makeExecutorPodTemplate(spec);
    // Assess
    expect(template).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        labels: {
          'app.kubernetes.io/name': 'orrery-spark-executor',
          'app.kubernetes.io/managed-by': 'orrery',
          'spark-role': 'executor',
          'orrery.dev/server': SERVER,
          'orrery.dev/session': 's7k2m9q4',
          'orrery.dev/user': ADA,
        },
        annotations: { 'orrery.dev/owner': 'ada@example.com', 'orrery.dev/name': 'default' },
      },
      spec: {
        restartPolicy: 'Never',
        serviceAccountName: 'orrery-spark-executor',
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        nodeSelector: { 'orrery.dev/pool': 'spark-spot' },
        tolerations: [{ key: 'orrery.dev/spot', operator: 'Exists', effect: 'NoSchedule' }],
        containers: [
          {
            name: 'spark-kubernetes-executor',
            image: IMAGE,
            command: EXECUTOR_COMMAND,
            env: [
              { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://127.0.0.1:9911/credentials' },
              { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: '/var/run/orrery/credentials/token' },
            ],
            volumeMounts: [{ name: 'aws-credentials', mountPath: '/var/run/orrery/credentials', readOnly: true }],
            securityContext: SECURITY,
          },
          {
            name: 'aws-credentials',
            image: 'orrery/notebook-runner:2026.1',
            command: ['python', '-m', 'orrery_runner.credentials_sidecar'],
            workingDir: '/opt/orrery',
            env: [
              { name: 'ORRERY_API_URL', value: 'https://api.orrery.test' },
              { name: 'ORRERY_SERVER_NAME', value: 'default' },
              { name: 'ORRERY_SERVER_TOKEN', valueFrom: { secretKeyRef: { name: SERVER, key: 'credentials-token' } } },
              { name: 'ORRERY_CREDENTIALS_TOKEN_FILE', value: '/var/run/orrery/credentials/token' },
              { name: 'ORRERY_CREDENTIALS_PORT', value: '9911' },
              { name: 'ORRERY_SPARK_SESSION', value: 's7k2m9q4' },
            ],
            resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
            volumeMounts: [{ name: 'aws-credentials', mountPath: '/var/run/orrery/credentials' }],
            securityContext: SECURITY,
          },
        ],
        volumes: [{ name: 'aws-credentials', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }],
      },
    });
    expect(() => new Pod(asSent(template)).validate()).not.toThrow();
  });

  it('reads the credentials token from the same Secret key as the server pod’s own sidecar', () => {
    // Prepare
    const server = makeServerPod({
      ...CPU_LAUNCH_SPEC,
      namespace: 'orrery-servers',
      serviceAccount: 'orrery-server',
      credentialsImage: 'orrery/notebook-runner:2026.1',
    });
    const tokenRef = (containers: { name: string; env: { name: string; valueFrom?: unknown }[] }[]) =>
      containers.find((c) => c.name === 'aws-credentials')!.env.find((e) => e.name === 'ORRERY_SERVER_TOKEN');
    // Act
    const template = makeExecutorPodTemplate(spec);
    // Assess
    expect(tokenRef(template.spec.containers)).toEqual(tokenRef(server.spec.containers));
  });
});

describe('makeDriverService', () => {
  it('is headless, selects only the server’s pod (not its executors), is owned by it, on the fixed ports', () => {
    // Act
    const service = makeDriverService(spec, { uid: 'pod-uid-1' });
    // Assess
    expect(service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'spark-s7k2m9q4',
        namespace: 'orrery-servers',
        labels: {
          'app.kubernetes.io/managed-by': 'orrery',
          'orrery.dev/server': SERVER,
          'orrery.dev/session': 's7k2m9q4',
          'orrery.dev/user': ADA,
        },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: SERVER, uid: 'pod-uid-1' }],
      },
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: { 'app.kubernetes.io/name': 'orrery-server', 'orrery.dev/server': SERVER },
        ports: [
          { name: 'driver-rpc', port: 7078, targetPort: 7078, protocol: 'TCP' },
          { name: 'blockmanager', port: 7079, targetPort: 7079, protocol: 'TCP' },
        ],
      },
    });
    expect(() => new Service(asSent(service)).validate()).not.toThrow();
    const executorLabels = makeExecutorPodTemplate(spec).metadata.labels as Record<string, string>;
    const selects = Object.entries(service.spec.selector).every(([k, v]) => executorLabels[k] === v);
    expect(selects).toBe(false);
  });
});

describe('sparkPlacementConf', () => {
  it('places executors on Kubernetes, pointed at the driver Service, owned by the server pod and labelled', () => {
    // Act
    const conf = sparkPlacementConf(spec);
    // Assess
    expect(conf).toEqual({
      'spark.master': 'k8s://https://kubernetes.default.svc:443',
      'spark.submit.deployMode': 'client',
      'spark.kubernetes.namespace': 'orrery-servers',
      'spark.kubernetes.container.image': IMAGE,
      'spark.kubernetes.container.image.pullPolicy': 'IfNotPresent',
      'spark.kubernetes.authenticate.executor.serviceAccountName': 'orrery-spark-executor',
      'spark.driver.host': 'spark-s7k2m9q4.orrery-servers.svc',
      'spark.driver.port': '7078',
      'spark.driver.blockManager.port': '7079',
      'spark.blockManager.port': '7079',
      'spark.driver.bindAddress': '0.0.0.0',
      'spark.kubernetes.driver.pod.name': SERVER,
      'spark.kubernetes.executor.podNamePrefix': 'spark-s7k2m9q4',
      'spark.kubernetes.executor.podTemplateContainerName': 'spark-kubernetes-executor',
      'spark.kubernetes.executor.label.orrery.dev/server': SERVER,
      'spark.kubernetes.executor.label.orrery.dev/session': 's7k2m9q4',
      'spark.kubernetes.executor.label.orrery.dev/user': ADA,
      'spark.app.id': 'spark-s7k2m9q4',
      'spark.ui.port': '4040',
      'spark.authenticate': 'true',
      'spark.kubernetes.executor.disableConfigMap': 'true',
      'spark.kubernetes.driver.ownPersistentVolumeClaim': 'false',
      'spark.kubernetes.driver.reusePersistentVolumeClaim': 'false',
      'spark.kubernetes.driver.service.deleteOnTermination': 'false',
    });
  });

  it('keeps the executor pod name prefix within Spark’s 47 characters, without a trailing dash', () => {
    // Act
    const prefix = executorPodNamePrefix(`${'a'.repeat(40)}-${'b'.repeat(30)}`);
    // Assess
    expect(prefix.length).toBeLessThanOrEqual(47);
    expect(prefix).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

describe('userLabelValue', () => {
  it.each([
    ['ada', 'ada'],
    ['ada@example.com', ADA],
    ['@@@', '2ec847d8'],
    [`${'x'.repeat(70)}`, `${'x'.repeat(54)}-`],
  ])('makes %s a valid label value', (owner, expected) => {
    // Act
    const value = userLabelValue(owner);
    // Assess
    expect(value.startsWith(expected) || value === expected).toBe(true);
    expect(value).toMatch(/^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/);
  });
});

describe('sparkUiLink', () => {
  it.each([
    ['', '/user/ada@example.com/default/', '/user/ada@example.com/default/proxy/4040/jobs/'],
    ['https://orrery.test/user/ada/default/', '/x/', 'https://orrery.test/user/ada/default/proxy/4040/jobs/'],
    ['https://orrery.test/user/ada/default', '/x/', 'https://orrery.test/user/ada/default/proxy/4040/jobs/'],
  ])('goes through the server’s proxy (url %s, base %s)', (serverUrl, basePath, expected) => {
    // Act / Assess
    expect(sparkUiLink({ serverUrl, basePath })).toBe(expected);
  });
});

describe('the Spark driver’s Role', () => {
  it('lets the driver read, create and delete pods only: no patch, no ConfigMaps, claims, Services or Secrets', () => {
    // Act
    const role = makeSparkDriverRole('orrery-servers');
    const binding = makeSparkDriverRoleBinding('orrery-servers', 'orrery-spark-driver');
    // Assess
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['pods'],
        verbs: ['get', 'list', 'watch', 'create', 'delete', 'deletecollection'],
      },
    ]);
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'orrery-spark-driver', namespace: 'orrery-servers' },
    ]);
    expect(() => new Role(asSent(role)).validate()).not.toThrow();
    expect(() => new RoleBinding(asSent(binding)).validate()).not.toThrow();
  });
});

describe('a Spark profile’s server pod', () => {
  it('runs as the driver’s account with its token mounted and the driver label; other profiles’ do not', () => {
    // Prepare
    const base = {
      ...CPU_LAUNCH_SPEC,
      namespace: 'orrery-servers',
      serviceAccount: 'orrery-server',
      sparkDriverServiceAccount: 'orrery-spark-driver',
      credentialsImage: 'orrery/notebook-runner:2026.1',
    };
    // Act
    const spark = makeServerPod({ ...base, spark: true });
    const plain = makeServerPod(base);
    // Assess
    const facts = (p: typeof spark) => [
      p.spec.serviceAccountName,
      p.spec.automountServiceAccountToken,
      (p.metadata.labels as Record<string, string>)['orrery.dev/spark-driver'],
    ];
    expect(facts(spark)).toEqual(['orrery-spark-driver', true, 'true']);
    expect(facts(plain)).toEqual(['orrery-server', false, undefined]);
  });
});
