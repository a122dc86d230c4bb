import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { groupRules } from '../../src/adapters/k8s/cluster-rbac.ts';
import { KubernetesServerCompute, makeKubernetesClients } from '../../src/adapters/k8s/kubernetes-server-compute.ts';
import { KubernetesSparkCompute } from '../../src/adapters/k8s/kubernetes-spark-compute.ts';
import { makeExecutorPodTemplate, sparkPlacementConf } from '../../src/adapters/k8s/spark-manifests.ts';
import { CLUSTER_DEFAULTS, type ClusterGroupKey } from '../../src/contracts/cluster-setup.ts';
import { ConflictError } from '../../src/domain/errors.ts';
import type { SparkSizing } from '../../src/domain/spark-session.ts';
import type { SparkSessionSpec } from '../../src/ports/spark-compute.ts';
import { rbacAllows, startFakeKubernetes, type FakeKubernetes, type KubeObject } from '../support/fake-kubernetes.ts';

const NAMESPACE = CLUSTER_DEFAULTS.serverNamespace;
const ADA = 'jupyter-ada-example-com--default-1a2b3c4d';
const BOB = 'jupyter-bob-example-com--default-5e6f7a8b';
const IMAGE = 'quay.io/jupyter/pyspark-notebook:2025-06-30';
const POOL = {
  name: 'batch',
  image: IMAGE,
  allowedImages: [],
  nodeSelector: {},
  tolerations: [],
  pricePerCoreHour: 0.041,
};

const session = (sessionId: string, serverId = ADA): SparkSessionSpec => ({
  sessionId,
  appId: `spark-${sessionId}`,
  serverId,
  serverName: 'default',
  owner: serverId === ADA ? 'ada@example.com' : 'bob@example.com',
  basePath: '/user/ada@example.com/default/',
  serverUrl: 'https://orrery.test/user/ada@example.com/default/',
  apiUrl: 'https://api.orrery.test',
  pool: POOL,
  sizing: { pool: POOL, image: IMAGE, conf: {} } as unknown as SparkSizing,
});

let fake: FakeKubernetes;

const clients = () => makeKubernetesClients({ endpoint: fake.url, skipTlsVerify: true, token: async () => 't' });
const where = { namespace: NAMESPACE, credentialsImage: 'orrery/notebook-runner:test' };
const makeSpark = () =>
  new KubernetesSparkCompute({ core: clients().core, ...where, executorServiceAccount: 'orrery-spark-executor' });
const makeServers = () =>
  new KubernetesServerCompute({ ...clients(), ...where, serviceAccount: 'orrery-server', publicBaseUrl: 'https://x/' });

/** A server pod as the API server holds it (with a uid). */
const putServerPod = (serverId: string) =>
  fake.state.pods.set(serverId, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: serverId,
      namespace: NAMESPACE,
      uid: `uid-${serverId}`,
      labels: { 'app.kubernetes.io/name': 'orrery-server', 'orrery.dev/server': serverId },
    },
  });

/** An executor pod as Spark makes it from the template: the template's labels plus Spark's own. */
const putExecutor = (s: SparkSessionSpec, n: number) => {
  const template = makeExecutorPodTemplate({ ...s, ...where, executorServiceAccount: 'orrery-spark-executor' });
  const name = `spark-${s.sessionId}-exec-${n}`;
  fake.state.pods.set(name, {
    ...template,
    metadata: {
      ...template.metadata,
      name,
      namespace: NAMESPACE,
      labels: { ...template.metadata.labels, 'spark-app-selector': s.appId, 'spark-exec-id': String(n) },
    },
  });
};

const podNames = () => [...fake.state.pods.keys()].sort();

/** Only what the group's Role grants, as RBAC would. */
const asGroup = (key: ClusterGroupKey) => {
  fake.state.authorize = (_r, attributes) => rbacAllows(groupRules(key), attributes);
};

beforeAll(async () => {
  fake = await startFakeKubernetes();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  putServerPod(ADA);
  putServerPod(BOB);
});

describe('KubernetesSparkCompute.startSession', () => {
  it('creates the driver Service owned by the server pod and returns the conf, the template and the UI link', async () => {
    // Prepare
    asGroup('serverApi');
    // Act
    const placement = await makeSpark().startSession(session('s1'));
    // Assess
    const service = fake.state.services.get('spark-s1') as KubeObject;
    expect(service.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: ADA, uid: `uid-${ADA}` }]);
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'orrery-server', 'orrery.dev/server': ADA });
    const full = { ...session('s1'), ...where, executorServiceAccount: 'orrery-spark-executor' };
    expect(placement).toEqual({
      conf: sparkPlacementConf(full),
      podTemplate: makeExecutorPodTemplate(full),
      links: { ui: 'https://orrery.test/user/ada@example.com/default/proxy/4040/jobs/' },
    });
  });

  it('takes a repeat calmly: the Service that exists already is kept', async () => {
    // Prepare
    const spark = makeSpark();
    await spark.startSession(session('s1'));
    // Act
    const again = await spark.startSession(session('s1'));
    // Assess
    expect(again.conf['spark.driver.host']).toBe(`spark-s1.${NAMESPACE}.svc`);
    expect([...fake.state.services.keys()]).toEqual(['spark-s1']);
    expect(fake.requests.filter((r) => r.method === 'POST').length).toBe(2);
  });

  it('refuses a server with no pod, and makes nothing', async () => {
    // Prepare
    fake.state.pods.delete(ADA);
    // Act
    const err = await makeSpark()
      .startSession(session('s1'))
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toMatch(/has no running pod to drive Spark from: stop and start the server again$/);
    expect(fake.state.services.size).toBe(0);
  });
});

describe('KubernetesSparkCompute.stopSession', () => {
  it('deletes that session’s executors by label and its Service; another session’s and another server’s stay', async () => {
    // Prepare
    const spark = makeSpark();
    await spark.startSession(session('s1'));
    await spark.startSession(session('s2'));
    await spark.startSession(session('s3', BOB));
    for (const n of [1, 2]) putExecutor(session('s1'), n);
    putExecutor(session('s2'), 1);
    putExecutor(session('s3', BOB), 1);
    asGroup('culler');
    // Act
    await spark.stopSession(ADA, 's1');
    // Assess
    expect(podNames()).toEqual([ADA, BOB, 'spark-s2-exec-1', 'spark-s3-exec-1'].sort());
    expect([...fake.state.services.keys()].sort()).toEqual(['spark-s2', 'spark-s3']);
  });

  it('is harmless when the session has nothing left', async () => {
    // Prepare
    asGroup('serverApi');
    // Act
    await makeSpark().stopSession(ADA, 'gone');
    // Assess
    expect(podNames()).toEqual([ADA, BOB].sort());
  });
});

describe('KubernetesServerCompute.stopSparkApplications and Spark sessions', () => {
  it('finds and deletes the server’s executors when the server ends, and only its own', async () => {
    // Prepare
    putExecutor(session('s1'), 1);
    putExecutor(session('s2'), 1);
    putExecutor(session('s3', BOB), 1);
    asGroup('culler');
    // Act
    const stopped = await makeServers().stopSparkApplications(ADA);
    // Assess
    expect(stopped.sort()).toEqual(['spark-s1', 'spark-s2']);
    expect(podNames()).toEqual([ADA, BOB, 'spark-s3-exec-1'].sort());
  });
});
