import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { CPU_LAUNCH_SPEC, GiB } from '../../support/server-specs.ts';
import {
  makeServerHomeClaim,
  makeServerPod,
  makeServerService,
  makeServerTokenSecret,
  type ServerPodSpec,
} from '../../../src/adapters/k8s/server-manifests.ts';

const cpuSpec: ServerPodSpec = {
  ...CPU_LAUNCH_SPEC,
  namespace: 'orrery-users',
  serviceAccount: 'orrery-server',
  credentialsImage: 'orrery/notebook-runner:2026.1',
};

const gpuSpec: ServerPodSpec = {
  ...cpuSpec,
  serverId: 'jupyter-ada-example-com--gpu-5e6f7a8b',
  name: 'gpu',
  profile: 'gpu-a10',
  resources: {
    image: 'orrery/notebook-gpu:2026.1',
    cpuRequest: 4000,
    cpuLimit: 8000,
    memoryRequest: 16 * GiB,
    memoryLimit: 32 * GiB,
    gpus: 1,
  },
  pool: {
    kind: 'gpu',
    nodeSelector: { 'orrery.dev/pool': 'gpu', 'node.kubernetes.io/instance-type': 'g5.2xlarge' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  },
  basePath: '/user/ada@example.com/gpu/',
  activityUrl: 'https://api.orrery.test/servers/gpu/activity',
  reporterImage: 'orrery/activity-reporter:1',
};

// The schemas judge what goes on the wire: JSON, not the builders' TypeScript types.
const asSent = (manifest: object) => JSON.parse(JSON.stringify(manifest));

const SECURITY = {
  runAsNonRoot: true,
  runAsUser: 1000,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

describe('makeServerHomeClaim', () => {
  it('claims the profile’s class and size for the server’s home, named from its id, with no launch label', () => {
    // Act
    const claim = makeServerHomeClaim({ ...cpuSpec, home: { storageClass: 'orrery-gp3', size: 25 * GiB } });
    // Assess
    expect(claim).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: 'jupyter-ada-example-com--default-1a2b3c4d-home',
        namespace: 'orrery-users',
        labels: {
          'app.kubernetes.io/name': 'orrery-server',
          'app.kubernetes.io/managed-by': 'orrery',
          'orrery.dev/server': 'jupyter-ada-example-com--default-1a2b3c4d',
        },
        annotations: {
          'orrery.dev/owner': 'ada@example.com',
          'orrery.dev/name': 'default',
          'orrery.dev/profile': 'cpu-small',
        },
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'orrery-gp3',
        resources: { requests: { storage: '25Gi' } },
      },
    });
    expect(() => new PersistentVolumeClaim(asSent(claim)).validate()).not.toThrow();
  });

  it('keeps the claim’s name a valid object name for the longest server id', () => {
    // Prepare
    const serverId = `jupyter-${'a'.repeat(46)}-1a2b3c4d`;
    // Act
    const claim = makeServerHomeClaim({ ...cpuSpec, serverId });
    // Assess
    expect(serverId).toHaveLength(63);
    expect(claim.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(claim.metadata.name.length).toBeLessThanOrEqual(253);
  });
});

describe('makeServerPod', () => {
  it('builds the pod of a CPU server: Jupyter on 8888 under its base path, the token from the Secret, the activity reporter and the credentials sidecar', () => {
    // Act
    const pod = makeServerPod(cpuSpec);
    // Assess
    expect(pod).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'jupyter-ada-example-com--default-1a2b3c4d',
        namespace: 'orrery-users',
        labels: {
          'app.kubernetes.io/name': 'orrery-server',
          'app.kubernetes.io/managed-by': 'orrery',
          'orrery.dev/server': 'jupyter-ada-example-com--default-1a2b3c4d',
          'orrery.dev/launch': 'ln-0000000000000001',
        },
        annotations: {
          'orrery.dev/owner': 'ada@example.com',
          'orrery.dev/name': 'default',
          'orrery.dev/profile': 'cpu-small',
          'orrery.dev/base-path': '/user/ada@example.com/default/',
        },
      },
      spec: {
        restartPolicy: 'Never',
        serviceAccountName: 'orrery-server',
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: {
          fsGroup: 100,
          fsGroupChangePolicy: 'OnRootMismatch',
          seccompProfile: { type: 'RuntimeDefault' },
        },
        nodeSelector: { 'orrery.dev/pool': 'cpu' },
        tolerations: [],
        containers: [
          {
            name: 'notebook',
            image: 'orrery/notebook:2026.1',
            command: ['jupyter', 'server'],
            args: [
              '--ServerApp.ip=0.0.0.0',
              '--ServerApp.port=8888',
              '--ServerApp.base_url=/user/ada@example.com/default/',
              '--ServerApp.open_browser=False',
            ],
            env: [
              {
                name: 'JUPYTER_TOKEN',
                valueFrom: { secretKeyRef: { name: 'jupyter-ada-example-com--default-1a2b3c4d', key: 'token' } },
              },
              { name: 'ORRERY_SERVER_ID', value: 'jupyter-ada-example-com--default-1a2b3c4d' },
              { name: 'ORRERY_API_URL', value: 'https://api.orrery.test' },
              { name: 'ORRERY_SERVER_NAME', value: 'default' },
              { name: 'ORRERY_PORTAL_URL', value: 'https://orrery.test' },
              { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://127.0.0.1:9911/credentials' },
              { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: '/var/run/orrery/credentials/token' },
            ],
            ports: [{ name: 'http', containerPort: 8888, protocol: 'TCP' }],
            resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
            volumeMounts: [
              { name: 'aws-credentials', mountPath: '/var/run/orrery/credentials', readOnly: true },
              { name: 'home', mountPath: '/home/jovyan' },
            ],
            readinessProbe: { httpGet: { path: '/user/ada@example.com/default/api', port: 8888 }, periodSeconds: 2 },
            securityContext: SECURITY,
          },
          {
            name: 'activity-reporter',
            image: 'orrery/notebook:2026.1',
            command: ['python3', '/opt/orrery/activity_reporter.py'],
            env: [
              { name: 'ORRERY_ACTIVITY_URL', value: 'https://api.orrery.test/servers/default/activity' },
              {
                name: 'ORRERY_SERVER_TOKEN',
                valueFrom: { secretKeyRef: { name: 'jupyter-ada-example-com--default-1a2b3c4d', key: 'token' } },
              },
              { name: 'JUPYTER_URL', value: 'http://127.0.0.1:8888/user/ada@example.com/default/' },
            ],
            resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
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
              {
                name: 'ORRERY_SERVER_TOKEN',
                valueFrom: {
                  secretKeyRef: { name: 'jupyter-ada-example-com--default-1a2b3c4d', key: 'credentials-token' },
                },
              },
              { name: 'ORRERY_CREDENTIALS_TOKEN_FILE', value: '/var/run/orrery/credentials/token' },
              { name: 'ORRERY_CREDENTIALS_PORT', value: '9911' },
            ],
            resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
            volumeMounts: [{ name: 'aws-credentials', mountPath: '/var/run/orrery/credentials' }],
            securityContext: SECURITY,
          },
        ],
        volumes: [
          { name: 'aws-credentials', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
          { name: 'home', persistentVolumeClaim: { claimName: 'jupyter-ada-example-com--default-1a2b3c4d-home' } },
        ],
      },
    });
  });

  it('asks for the GPUs in requests and limits and tolerates the GPU pool’s taint', () => {
    // Act
    const pod = makeServerPod(gpuSpec);
    // Assess
    expect(pod.spec.nodeSelector).toEqual({
      'orrery.dev/pool': 'gpu',
      'node.kubernetes.io/instance-type': 'g5.2xlarge',
    });
    expect(pod.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.spec.containers[0]).toEqual({
      name: 'notebook',
      image: 'orrery/notebook-gpu:2026.1',
      command: ['jupyter', 'server'],
      args: [
        '--ServerApp.ip=0.0.0.0',
        '--ServerApp.port=8888',
        '--ServerApp.base_url=/user/ada@example.com/gpu/',
        '--ServerApp.open_browser=False',
      ],
      env: [
        {
          name: 'JUPYTER_TOKEN',
          valueFrom: { secretKeyRef: { name: 'jupyter-ada-example-com--gpu-5e6f7a8b', key: 'token' } },
        },
        { name: 'ORRERY_SERVER_ID', value: 'jupyter-ada-example-com--gpu-5e6f7a8b' },
        { name: 'ORRERY_API_URL', value: 'https://api.orrery.test' },
        { name: 'ORRERY_SERVER_NAME', value: 'gpu' },
        { name: 'ORRERY_PORTAL_URL', value: 'https://orrery.test' },
        { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://127.0.0.1:9911/credentials' },
        { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: '/var/run/orrery/credentials/token' },
      ],
      ports: [{ name: 'http', containerPort: 8888, protocol: 'TCP' }],
      resources: {
        requests: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' },
        limits: { cpu: '8', memory: '32Gi', 'nvidia.com/gpu': '1' },
      },
      readinessProbe: { httpGet: { path: '/user/ada@example.com/gpu/api', port: 8888 }, periodSeconds: 2 },
      securityContext: SECURITY,
      volumeMounts: [
        { name: 'aws-credentials', mountPath: '/var/run/orrery/credentials', readOnly: true },
        { name: 'home', mountPath: '/home/jovyan' },
      ],
    });
    expect(pod.spec.containers[1]?.image).toBe('orrery/activity-reporter:1');
  });

  it('keeps the caller’s pool untouched', () => {
    // Prepare
    const pod = makeServerPod(gpuSpec);
    // Act
    pod.spec.tolerations[0]!.key = 'changed';
    pod.spec.nodeSelector.extra = 'x';
    // Assess
    expect(gpuSpec.pool.tolerations[0]!.key).toBe('nvidia.com/gpu');
    expect(gpuSpec.pool.nodeSelector).not.toHaveProperty('extra');
  });
});

describe('makeServerService and makeServerTokenSecret', () => {
  it('puts a ClusterIP Service on port 8888 in front of the server’s pod', () => {
    // Act
    const service = makeServerService(cpuSpec);
    // Assess
    expect(service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: makeServerPod(cpuSpec).metadata,
      spec: {
        type: 'ClusterIP',
        selector: {
          'app.kubernetes.io/name': 'orrery-server',
          'orrery.dev/server': 'jupyter-ada-example-com--default-1a2b3c4d',
        },
        ports: [{ name: 'http', port: 8888, targetPort: 'http', protocol: 'TCP' }],
      },
    });
  });

  it('keeps both tokens in an Opaque Secret named after the server, with the server’s labels', () => {
    // Act
    const secret = makeServerTokenSecret(cpuSpec, 'osv1.secret-value', 'osc1.credentials-value');
    // Assess
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'jupyter-ada-example-com--default-1a2b3c4d',
        namespace: 'orrery-users',
        labels: makeServerPod(cpuSpec).metadata.labels,
      },
      type: 'Opaque',
      stringData: { token: 'osv1.secret-value', 'credentials-token': 'osc1.credentials-value' },
    });
  });
});

describe('the manifests against the Kubernetes schemas', () => {
  it.each([
    ['the CPU pod', () => new Pod(asSent(makeServerPod(cpuSpec)))],
    ['the GPU pod', () => new Pod(asSent(makeServerPod(gpuSpec)))],
    ['the Service', () => new Service(asSent(makeServerService(cpuSpec)))],
    ['the Secret', () => new Secret(asSent(makeServerTokenSecret(cpuSpec, 'token', 'credentials-token')))],
  ])('validates %s', (_name, build) => {
    // Act
    const validate = () => build().validate();
    // Assess
    expect(validate).not.toThrow();
  });

  it('rejects a pod whose container port is a string, so the checks above can fail', () => {
    // Prepare
    const pod = makeServerPod(cpuSpec);
    const broken = {
      ...pod,
      spec: {
        ...pod.spec,
        containers: [{ ...pod.spec.containers[0]!, ports: [{ name: 'http', containerPort: '8888' }] }],
      },
    };
    // Act
    const validate = () => new Pod(asSent(broken)).validate();
    // Assess
    expect(validate).toThrow(/containerPort/);
  });
});
