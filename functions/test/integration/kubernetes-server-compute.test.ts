import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { groupRules } from '../../src/adapters/k8s/cluster-rbac.ts';
import { CLUSTER_DEFAULTS, type ClusterGroupKey } from '../../src/contracts/cluster-setup.ts';
import { KubernetesServerCompute, makeKubernetesClients } from '../../src/adapters/k8s/kubernetes-server-compute.ts';
import {
  makeServerHomeClaim,
  makeServerPod,
  makeServerService,
  makeServerTokenSecret,
} from '../../src/adapters/k8s/server-manifests.ts';
import { ServerLaunchFailedError, UpstreamError } from '../../src/domain/errors.ts';
import { makeServerToken } from '../../src/domain/server.ts';
import { CPU_LAUNCH_SPEC } from '../support/server-specs.ts';
import { rbacAllows, startFakeKubernetes, type FakeKubernetes, type KubeObject } from '../support/fake-kubernetes.ts';

const NAMESPACE = CLUSTER_DEFAULTS.serverNamespace;
const spec = CPU_LAUNCH_SPEC;
const CREDENTIALS_IMAGE = 'orrery/notebook-runner:test';
const podSpec = { ...spec, namespace: NAMESPACE, serviceAccount: 'orrery-server', credentialsImage: CREDENTIALS_IMAGE };
const ID = spec.serverId;
const HOME = `${ID}-home`;

let fake: FakeKubernetes;
let issued = 0;

/** The adapter on clients whose token function hands out `token-1`, `token-2`, … one per request. */
const makeCompute = () =>
  new KubernetesServerCompute({
    ...makeKubernetesClients({ endpoint: fake.url, skipTlsVerify: true, token: async () => `token-${++issued}` }),
    namespace: NAMESPACE,
    serviceAccount: 'orrery-server',
    credentialsImage: CREDENTIALS_IMAGE,
    publicBaseUrl: 'https://orrery.test/',
  });

const asSent = (manifest: object) => JSON.parse(JSON.stringify(manifest));
const pod = (): KubeObject => fake.state.pods.get(ID)!;
const scheduled = { type: 'PodScheduled', status: 'True' };

beforeAll(async () => {
  fake = await startFakeKubernetes();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  issued = 0;
});

describe('KubernetesServerCompute.create and putToken', () => {
  it('sends exactly the built home claim, pod and Service, each request with a fresh bearer token', async () => {
    // Prepare
    const compute = makeCompute();
    // Act
    await compute.create(spec);
    // Assess
    expect(fake.requests.map((r) => [r.method, r.rawPath, r.authorization])).toEqual([
      ['POST', `/api/v1/namespaces/${NAMESPACE}/persistentvolumeclaims`, 'Bearer token-1'],
      ['POST', `/api/v1/namespaces/${NAMESPACE}/pods`, 'Bearer token-2'],
      ['POST', `/api/v1/namespaces/${NAMESPACE}/services`, 'Bearer token-3'],
    ]);
    expect(fake.requests[0]!.body).toEqual(asSent(makeServerHomeClaim(podSpec)));
    expect(fake.requests[1]!.body).toEqual(asSent(makeServerPod(podSpec)));
    expect(fake.requests[2]!.body).toEqual(asSent(makeServerService(podSpec)));
  });

  it('treats a second create for the same launch as harmless', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.create(spec);
    // Act
    await compute.create(spec);
    // Assess
    expect(fake.state.pods.size).toBe(1);
    expect(fake.state.services.size).toBe(1);
  });

  it('refuses to pass off a pod of an earlier launch, still shutting down, as this launch’s', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.create({ ...spec, launchId: 'ln-0000000000000000' });
    // Act
    const err = await compute.create(spec).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ServerLaunchFailedError);
    expect((err as Error).message).toMatch(/previous launch is still shutting down/);
    expect(pod().metadata.labels['orrery.dev/launch']).toBe('ln-0000000000000000');
  });

  it('keeps the token in the server’s Secret and replaces it when a later launch brings a new one', async () => {
    // Prepare
    const compute = makeCompute();
    const first = makeServerToken(ID, 'ln-1', 'a'.repeat(43));
    const second = makeServerToken(ID, 'ln-2', 'b'.repeat(43));
    await compute.putToken(ID, first, 'osc1.first');
    // Act
    await compute.putToken(ID, second, 'osc1.second');
    // Assess
    expect(fake.requests.map((r) => [r.method, r.rawPath])).toEqual([
      ['POST', `/api/v1/namespaces/${NAMESPACE}/secrets`],
      ['POST', `/api/v1/namespaces/${NAMESPACE}/secrets`],
      ['PUT', `/api/v1/namespaces/${NAMESPACE}/secrets/${ID}`],
    ]);
    expect(fake.requests[0]!.body).toEqual(
      asSent(makeServerTokenSecret({ serverId: ID, namespace: NAMESPACE, launchId: 'ln-1' }, first, 'osc1.first')),
    );
    expect(fake.state.secrets.get(ID)).toMatchObject({
      stringData: { token: second, 'credentials-token': 'osc1.second' },
      metadata: { labels: { 'orrery.dev/launch': 'ln-2' } },
    });
  });

  it('keeps a Spark launch’s Spark secret in the same Secret, and drops it when a later launch brings none', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.putToken(ID, makeServerToken(ID, 'ln-1', 'a'.repeat(43)), 'osc1.first', 'spark-first');
    const spark = structuredClone(fake.state.secrets.get(ID));
    // Act
    await compute.putToken(ID, makeServerToken(ID, 'ln-2', 'b'.repeat(43)), 'osc1.second');
    // Assess
    expect(spark).toMatchObject({ stringData: { 'spark-auth': 'spark-first' } });
    expect(fake.state.secrets.get(ID)?.stringData).not.toHaveProperty('spark-auth');
  });
});

describe('KubernetesServerCompute.observe', () => {
  it.each([
    [
      'a pod no node can take is waiting for a node, with the scheduler’s message',
      {},
      {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient cpu.',
          },
        ],
      },
      { state: 'waiting', stage: 'requested', unschedulable: '0/3 nodes are available: 3 Insufficient cpu.' },
    ],
    [
      'a scheduled pod whose containers are being created is pulling, on its node',
      { nodeName: 'ip-10-0-1-2' },
      {
        phase: 'Pending',
        conditions: [scheduled],
        containerStatuses: [{ name: 'notebook', ready: false, state: { waiting: { reason: 'ContainerCreating' } } }],
      },
      { state: 'waiting', stage: 'pulling', detail: 'on node ip-10-0-1-2' },
    ],
    [
      'an image that cannot be pulled fails the launch with the kubelet’s message',
      { nodeName: 'ip-10-0-1-2' },
      {
        phase: 'Pending',
        conditions: [scheduled],
        containerStatuses: [
          {
            name: 'notebook',
            ready: false,
            state: { waiting: { reason: 'ErrImagePull', message: 'manifest for orrery/notebook:nope not found' } },
          },
        ],
      },
      { state: 'failed', reason: 'image pull failed: manifest for orrery/notebook:nope not found' },
    ],
    [
      'a notebook container killed for memory fails the launch, saying so',
      { nodeName: 'ip-10-0-1-2' },
      {
        phase: 'Running',
        conditions: [scheduled],
        containerStatuses: [
          { name: 'notebook', ready: false, state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } },
        ],
      },
      { state: 'failed', reason: 'the notebook container exited: OOMKilled (exit code 137)' },
    ],
    [
      'a Secret the container cannot read fails the launch instead of waiting forever',
      { nodeName: 'ip-10-0-1-2' },
      {
        phase: 'Pending',
        conditions: [scheduled],
        containerStatuses: [
          {
            name: 'notebook',
            ready: false,
            state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "x" not found' } },
          },
        ],
      },
      { state: 'failed', reason: 'container config error: secret "x" not found' },
    ],
    [
      'an evicted pod fails the launch with the kubelet’s reason',
      { nodeName: 'ip-10-0-1-2' },
      { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' },
      { state: 'failed', reason: 'the pod failed: Evicted: The node was low on resource: memory.' },
    ],
    [
      'a pod on a node with no container status yet is scheduled',
      { nodeName: 'ip-10-0-1-2' },
      { phase: 'Pending', conditions: [scheduled] },
      { state: 'waiting', stage: 'scheduled', detail: 'on node ip-10-0-1-2' },
    ],
    [
      'a running notebook container that is not ready yet has started',
      { nodeName: 'ip-10-0-1-2' },
      {
        phase: 'Running',
        conditions: [scheduled, { type: 'Ready', status: 'False' }],
        containerStatuses: [{ name: 'notebook', ready: false, state: { running: {} } }],
      },
      { state: 'waiting', stage: 'started' },
    ],
  ])('%s', async (_name, podSpecPatch, status, expected) => {
    // Prepare
    const compute = makeCompute();
    await compute.create(spec);
    Object.assign(pod().spec, podSpecPatch);
    pod().status = status;
    // Act
    const observed = await compute.observe(ID);
    // Assess
    expect(observed).toEqual(expected);
  });

  it('is ready at the public URL once Jupyter answers through the API server’s service proxy', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.create(spec);
    pod().spec.nodeName = 'ip-10-0-1-2';
    pod().status = {
      phase: 'Running',
      conditions: [scheduled, { type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'notebook', ready: true, state: { running: {} } }],
    };
    fake.state.proxy.set('/user/ada@example.com/default/api', 200);
    // Act
    const observed = await compute.observe(ID);
    // Assess
    expect(observed).toEqual({ state: 'ready', url: 'https://orrery.test/user/ada@example.com/default/' });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'GET',
      rawPath: `/api/v1/namespaces/${NAMESPACE}/services/${ID}:8888/proxy/user/ada@example.com/default/api`,
      authorization: 'Bearer token-5',
    });
  });

  it('goes by the notebook container’s readiness, so a failed sidecar does not hide a Jupyter that answers', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.create(spec);
    pod().spec.nodeName = 'ip-10-0-1-2';
    const reporterDied = {
      name: 'activity-reporter',
      ready: false,
      state: { terminated: { reason: 'Error', exitCode: 2 } },
    };
    pod().status = {
      phase: 'Running',
      conditions: [scheduled, { type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'notebook', ready: true, state: { running: {} } }, reporterDied],
    };
    fake.state.proxy.set('/user/ada@example.com/default/api', 200);
    // Act
    const observed = await compute.observe(ID);
    // Assess
    expect(observed).toEqual({ state: 'ready', url: 'https://orrery.test/user/ada@example.com/default/' });
  });

  it('stays started while the pod is Ready but the proxy cannot reach Jupyter yet', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.create(spec);
    pod().spec.nodeName = 'ip-10-0-1-2';
    pod().status = {
      phase: 'Running',
      conditions: [scheduled, { type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'notebook', ready: true, state: { running: {} } }],
    };
    fake.state.proxy.set('/user/ada@example.com/default/api', 503);
    // Act
    const observed = await compute.observe(ID);
    // Assess
    expect(observed).toEqual({ state: 'waiting', stage: 'started' });
  });

  it('reports a missing pod as absent', async () => {
    // Act
    const observed = await makeCompute().observe(ID);
    // Assess
    expect(observed).toEqual({ state: 'absent' });
  });
});

describe('KubernetesServerCompute.remove', () => {
  it('deletes the pod with a grace period, the Service and the Secret, and is harmless a second time', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.putToken(ID, 'token-value', 'credentials-token-value');
    await compute.create(spec);
    fake.requests.length = 0;
    // Act
    await compute.remove(ID);
    await compute.remove(ID);
    // Assess
    expect([fake.state.pods.size, fake.state.services.size, fake.state.secrets.size]).toEqual([0, 0, 0]);
    expect(fake.requests.map((r) => `${r.method} ${r.rawPath}`).slice(0, 3)).toEqual([
      `DELETE /api/v1/namespaces/${NAMESPACE}/pods/${ID}`,
      `DELETE /api/v1/namespaces/${NAMESPACE}/services/${ID}`,
      `DELETE /api/v1/namespaces/${NAMESPACE}/secrets/${ID}`,
    ]);
    expect(fake.requests[0]!.query.get('gracePeriodSeconds')).toBe('30');
  });
});

describe('KubernetesServerCompute homes', () => {
  it('creates the home claim once: a relaunch mounts the same claim and sends no second one', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.create(spec);
    await compute.remove(ID);
    const relaunch = { ...spec, launchId: 'ln-0000000000000002', home: { storageClass: 'orrery-gp3', size: 1 } };
    fake.requests.length = 0;
    // Act
    await compute.create(relaunch);
    // Assess
    expect(fake.requests.map((r) => `${r.method} ${r.rawPath}`)).toEqual([
      `POST /api/v1/namespaces/${NAMESPACE}/persistentvolumeclaims`,
      `GET /api/v1/namespaces/${NAMESPACE}/persistentvolumeclaims/${HOME}`,
      `POST /api/v1/namespaces/${NAMESPACE}/pods`,
      `POST /api/v1/namespaces/${NAMESPACE}/services`,
    ]);
    expect(fake.state.persistentvolumeclaims.size).toBe(1);
    expect(fake.state.persistentvolumeclaims.get(HOME)!.spec.resources).toEqual({ requests: { storage: '10Gi' } });
    expect(pod().spec.volumes).toContainEqual({ name: 'home', persistentVolumeClaim: { claimName: HOME } });
    expect(pod().metadata.labels['orrery.dev/launch']).toBe('ln-0000000000000002');
  });

  it('refuses to launch onto the home claim of a deleted server that is still terminating', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.create(spec);
    await compute.remove(ID);
    fake.state.persistentvolumeclaims.get(HOME)!.metadata.deletionTimestamp = '2026-01-05T09:00:00Z';
    // Act
    const error = await compute.create({ ...spec, launchId: 'ln-0000000000000002' }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ServerLaunchFailedError);
    expect((error as Error).message).toMatch(/home volume of a deleted server of this name is still being deleted/);
    expect(fake.state.pods.size).toBe(0);
  });

  it('keeps the home when the server is removed (stopped or culled)', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.putToken(ID, 'token-value', 'credentials-token-value');
    await compute.create(spec);
    // Act
    await compute.remove(ID);
    // Assess
    expect([fake.state.pods.size, fake.state.services.size, fake.state.secrets.size]).toEqual([0, 0, 0]);
    expect([...fake.state.persistentvolumeclaims.keys()]).toEqual([HOME]);
  });

  it('deletes the home claim, and is harmless when it is already gone', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.create(spec);
    await compute.remove(ID);
    fake.requests.length = 0;
    // Act
    await compute.deleteHome(ID);
    await compute.deleteHome(ID);
    // Assess
    expect(fake.state.persistentvolumeclaims.size).toBe(0);
    expect(fake.requests.map((r) => `${r.method} ${r.rawPath}`)).toEqual([
      `DELETE /api/v1/namespaces/${NAMESPACE}/persistentvolumeclaims/${HOME}`,
      `DELETE /api/v1/namespaces/${NAMESPACE}/persistentvolumeclaims/${HOME}`,
    ]);
  });

  it('lists the home claims of servers only, with the bound size, class and the owner they were made for', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.create(spec);
    fake.state.persistentvolumeclaims.get(HOME)!.status = { phase: 'Bound', capacity: { storage: '12Gi' } };
    fake.state.persistentvolumeclaims.set('someone-elses-data', {
      metadata: { name: 'someone-elses-data', namespace: NAMESPACE, labels: { app: 'db' } },
      spec: { storageClassName: 'gp2', resources: { requests: { storage: '100Gi' } } },
    });
    // Act
    const homes = await compute.listHomes();
    // Assess
    expect(homes).toEqual([
      {
        serverId: ID,
        owner: 'ada@example.com',
        name: 'default',
        size: 12 * 1024 ** 3,
        storageClass: 'orrery-gp3',
        location: `PersistentVolumeClaim ${NAMESPACE}/${HOME}`,
      },
    ]);
  });

  it('creates, lists and deletes homes with only the Roles that do so: the launch task’s and the servers routes’', async () => {
    // Prepare
    const compute = makeCompute();
    fake.state.authorize = (_r, a) => a.namespace === NAMESPACE && rbacAllows(groupRules('serverTasks'), a);
    await compute.create(spec);
    await compute.remove(ID);
    fake.state.authorize = (_r, a) => a.namespace === NAMESPACE && rbacAllows(groupRules('serverApi'), a);
    // Act
    const listed = await compute.listHomes();
    await compute.deleteHome(ID);
    // Assess
    expect(listed.map((h) => h.serverId)).toEqual([ID]);
    expect(fake.state.persistentvolumeclaims.size).toBe(0);
  });
});

describe('KubernetesServerCompute.stopSparkApplications', () => {
  const sparkObject = (name: string, server: string, labels: Record<string, string> = {}) => ({
    metadata: { name, namespace: NAMESPACE, labels: { 'orrery.dev/server': server, ...labels } },
  });

  it('deletes only this server’s Spark applications and Spark pods and names what it stopped', async () => {
    // Prepare
    const compute = makeCompute();
    await compute.create(spec);
    fake.state.sparkapplications.set('etl-daily', sparkObject('etl-daily', ID));
    fake.state.sparkapplications.set('someone-elses', sparkObject('someone-elses', 'jupyter-bob--default-99999999'));
    fake.state.pods.set(
      'shell-driver',
      sparkObject('shell-driver', ID, { 'spark-role': 'driver', 'spark-app-selector': 'spark-0a1b' }),
    );
    fake.state.pods.set(
      'shell-exec-1',
      sparkObject('shell-exec-1', ID, { 'spark-role': 'executor', 'spark-app-selector': 'spark-0a1b' }),
    );
    fake.state.pods.set(
      'bob-exec-1',
      sparkObject('bob-exec-1', 'jupyter-bob--default-99999999', {
        'spark-role': 'executor',
        'spark-app-selector': 'spark-ffff',
      }),
    );
    // Act
    const stopped = await compute.stopSparkApplications(ID);
    // Assess
    expect(stopped).toEqual(['etl-daily', 'spark-0a1b']);
    expect([...fake.state.sparkapplications.keys()]).toEqual(['someone-elses']);
    expect([...fake.state.pods.keys()].sort()).toEqual(['bob-exec-1', ID]);
  });

  it('finds no applications where the Spark operator is not installed', async () => {
    // Prepare
    fake.state.sparkCrdInstalled = false;
    // Act
    const stopped = await makeCompute().stopSparkApplications(ID);
    // Assess
    expect(stopped).toEqual([]);
  });
});

describe('KubernetesServerCompute errors', () => {
  it('turns a 500 from the API server into an UpstreamError that names the operation and never the token', async () => {
    // Prepare
    fake.state.failures.push({ method: 'POST', path: /\/pods$/ });
    // Act
    const error = await makeCompute()
      .create(spec)
      .catch((err: unknown) => err);
    // Assess
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).message).toBe(
      `Kubernetes API: create Pod ${ID} failed with HTTP 500 InternalError`,
    );
    expect(JSON.stringify(error)).not.toContain('token-1');
    expect(String((error as Error).stack)).not.toContain('token-1');
  });
});

describe('KubernetesServerCompute under each function group’s Role', () => {
  /** The fake API server grants just what the group's Role (infra/k8s/rbac.yaml) grants, in the servers' namespace. */
  const allowOnly = (key: ClusterGroupKey) => {
    fake.state.authorize = (_request, a) => a.namespace === NAMESPACE && rbacAllows(groupRules(key), a);
  };
  const sparkObject = (name: string, labels: Record<string, string> = {}) => ({
    metadata: { name, namespace: NAMESPACE, labels: { 'orrery.dev/server': ID, ...labels } },
  });
  const seedServer = (compute: KubernetesServerCompute) => {
    fake.state.authorize = undefined;
    return Promise.all([compute.putToken(ID, 'token-value', 'credentials-token-value'), compute.create(spec)]);
  };

  it('creates, follows to ready and removes a server with only the launch task’s Role', async () => {
    // Prepare
    allowOnly('serverTasks');
    const compute = makeCompute();
    // Act
    await compute.create(spec);
    await compute.create(spec);
    pod().spec.nodeName = 'ip-10-0-1-2';
    pod().status = {
      phase: 'Running',
      conditions: [scheduled],
      containerStatuses: [{ name: 'notebook', ready: true, state: { running: {} } }],
    };
    fake.state.proxy.set('/user/ada@example.com/default/api', 200);
    const observed = await compute.observe(ID);
    await compute.remove(ID);
    // Assess
    expect(observed).toEqual({ state: 'ready', url: 'https://orrery.test/user/ada@example.com/default/' });
    expect([fake.state.pods.size, fake.state.services.size]).toEqual([0, 0]);
  });

  it('stores and replaces tokens and tears a server down, Spark included, with only the servers routes’ Role', async () => {
    // Prepare
    const compute = makeCompute();
    await seedServer(compute);
    fake.state.sparkapplications.set('etl', sparkObject('etl'));
    fake.state.pods.set(
      'etl-exec-1',
      sparkObject('etl-exec-1', { 'spark-role': 'executor', 'spark-app-selector': 'spark-1' }),
    );
    allowOnly('serverApi');
    // Act
    await compute.putToken(ID, makeServerToken(ID, 'ln-2', 'b'.repeat(43)), 'osc1.c');
    await compute.remove(ID);
    const stopped = await compute.stopSparkApplications(ID);
    // Assess
    expect(stopped).toEqual(['etl', 'spark-1']);
    expect([
      fake.state.pods.size,
      fake.state.services.size,
      fake.state.secrets.size,
      fake.state.sparkapplications.size,
    ]).toEqual([0, 0, 0, 0]);
  });

  it('tears a server down, Spark included, with only the culler’s Role', async () => {
    // Prepare
    const compute = makeCompute();
    await seedServer(compute);
    fake.state.sparkapplications.set('etl', sparkObject('etl'));
    allowOnly('culler');
    // Act
    await compute.remove(ID);
    const stopped = await compute.stopSparkApplications(ID);
    // Assess
    expect(stopped).toEqual(['etl']);
    expect([
      fake.state.pods.size,
      fake.state.services.size,
      fake.state.secrets.size,
      fake.state.sparkapplications.size,
    ]).toEqual([0, 0, 0, 0]);
  });

  it('is refused what its Role leaves out: the culler cannot start a server', async () => {
    // Prepare
    allowOnly('culler');
    // Act
    const error = await makeCompute()
      .create(spec)
      .catch((err: unknown) => err);
    // Assess
    expect((error as Error).message).toBe(
      `Kubernetes API: create PersistentVolumeClaim ${HOME} failed with HTTP 403 Forbidden`,
    );
    expect([fake.state.persistentvolumeclaims.size, fake.state.pods.size]).toEqual([0, 0]);
  });
});
