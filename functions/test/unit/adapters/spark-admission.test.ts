import { evaluate } from '@marcbachmann/cel-js';
import { ValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
import { ValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
import { describe, expect, it } from 'vitest';
import {
  makeSparkDriverPolicy,
  makeSparkDriverPolicyBinding,
  POD_NAME_EXTRA,
} from '../../../src/adapters/k8s/spark-admission.ts';
import { makeExecutorPodTemplate, type SparkPlacementSpec } from '../../../src/adapters/k8s/spark-manifests.ts';
import type { SparkSizing } from '../../../src/domain/spark-session.ts';

const NS = 'orrery-servers';
const ADA = 'jupyter-ada-example-com--default-1a2b3c4d';
const BOB = 'jupyter-bob-example-com--default-5e6f7a8b';
const DRIVER = `system:serviceaccount:${NS}:orrery-spark-driver`;
const IMAGE = 'quay.io/jupyter/pyspark-notebook:2025-06-30';
const POOL = {
  name: 'batch',
  image: IMAGE,
  allowedImages: [],
  nodeSelector: { 'orrery.dev/pool': 'spark-batch' },
  tolerations: [],
  pricePerCoreHour: 0.041,
};
const SPEC: SparkPlacementSpec = {
  sessionId: 's7k2m9q4',
  appId: 'spark-s7k2m9q4',
  serverId: ADA,
  serverName: 'default',
  owner: 'ada@example.com',
  basePath: '/user/ada@example.com/default/',
  serverUrl: '',
  apiUrl: 'https://api.orrery.test',
  pool: POOL,
  sizing: { pool: POOL, image: IMAGE, conf: {} } as unknown as SparkSizing,
  namespace: NS,
  executorServiceAccount: 'orrery-spark-executor',
  credentialsImage: 'orrery/notebook-runner:2026.1',
};
const ADMISSION = {
  namespace: NS,
  driverServiceAccount: 'orrery-spark-driver',
  executorServiceAccount: SPEC.executorServiceAccount,
};
const policy = makeSparkDriverPolicy(ADMISSION);

type Json = Record<string, any>;

/**
 * What Spark 3.5 sends for executor 1 of the session: the template (which mounts the server's Spark secret), plus
 * what its feature steps add (its labels, name, owner, the executor's environment, with no auth secret since
 * `spark.authenticate.secret.executor.file` is set, a local-dir emptyDir, resources).
 */
const sparkExecutorPod = (): Json => {
  const pod = JSON.parse(JSON.stringify(makeExecutorPodTemplate(SPEC)));
  pod.metadata.name = 'spark-s7k2m9q4-exec-1';
  pod.metadata.namespace = NS;
  Object.assign(pod.metadata.labels, {
    'spark-app-selector': 'spark-s7k2m9q4',
    'spark-app-name': 'orrery-session',
    'spark-exec-id': '1',
    'spark-exec-resourceprofile-id': '0',
  });
  pod.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Pod', name: ADA, uid: 'u-1', controller: true }];
  const executor = pod.spec.containers[0];
  executor.env.push(
    { name: 'SPARK_DRIVER_URL', value: `spark://CoarseGrainedScheduler@spark-s7k2m9q4.${NS}.svc:7078` },
    { name: 'SPARK_EXECUTOR_ID', value: '1' },
    { name: 'SPARK_EXECUTOR_POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
    { name: 'SPARK_LOCAL_DIRS', value: '/var/data/spark-1' },
  );
  executor.volumeMounts.push({ name: 'spark-local-dir-1', mountPath: '/var/data/spark-1' });
  executor.resources = { requests: { cpu: '4', memory: '18022Mi' }, limits: { cpu: '4', memory: '18022Mi' } };
  pod.spec.volumes.push({ name: 'spark-local-dir-1', emptyDir: {} });
  pod.spec.hostname = 'spark-s7k2m9q4-exec-1';
  return pod;
};

const withPodName = (name?: string) => ({
  username: DRIVER,
  uid: 'sa-uid',
  groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'],
  ...(name ? { extra: { [POD_NAME_EXTRA]: [name], 'authentication.kubernetes.io/pod-uid': ['pod-uid'] } } : {}),
});

/** An admission request as the API server builds it for a validating policy. */
const request = (
  operation: 'CREATE' | 'UPDATE' | 'DELETE',
  resource: string,
  object: Json | null,
  oldObject: Json | null,
  userInfo: Json = withPodName(ADA),
) => ({
  request: {
    uid: 'r-1',
    kind: { group: '', version: 'v1', kind: resource === 'pods' ? 'Pod' : 'Other' },
    resource: { group: '', version: 'v1', resource },
    name: (object ?? oldObject)?.metadata?.name ?? '',
    namespace: NS,
    operation,
    userInfo,
  },
  object,
  oldObject,
});

/**
 * The policy's verdict, as the API server reaches it: skipped unless every match condition holds; then the
 * variables in order and every validation, a failing or erroring one (failurePolicy Fail) refusing with its message.
 */
const admit = (input: ReturnType<typeof request>): { matched: boolean; refusals: string[] } => {
  if (!policy.spec.matchConditions.every((c) => evaluate(c.expression, input) === true)) {
    return { matched: false, refusals: [] };
  }
  const variables: Record<string, unknown> = {};
  for (const v of policy.spec.variables) variables[v.name] = evaluate(v.expression, { ...input, variables });
  const refusals = policy.spec.validations.flatMap((v) => {
    try {
      return evaluate(v.expression, { ...input, variables }) === true ? [] : [v.message];
    } catch (err) {
      return [`${v.message} (error: ${(err as Error).message.split('\n')[0]})`];
    }
  });
  return { matched: true, refusals };
};

const labelled = (server: string, extra: Json = {}) => ({
  apiVersion: 'v1',
  metadata: { name: 'x', namespace: NS, labels: { 'orrery.dev/server': server, ...extra } },
});

describe('the Spark driver’s admission policy', () => {
  it('builds a policy and binding the Kubernetes schemas accept, for the driver’s account only', () => {
    // Act
    const binding = makeSparkDriverPolicyBinding(ADMISSION);
    // Assess
    expect(() => new ValidatingAdmissionPolicy(JSON.parse(JSON.stringify(policy))).validate()).not.toThrow();
    expect(() => new ValidatingAdmissionPolicyBinding(JSON.parse(JSON.stringify(binding))).validate()).not.toThrow();
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(binding.spec).toEqual({
      policyName: 'orrery-spark-driver',
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } } },
    });
  });

  it('admits the executor pod Spark creates from the template for its own server', () => {
    // Act
    const verdict = admit(request('CREATE', 'pods', sparkExecutorPod(), null));
    // Assess
    expect(verdict).toEqual({ matched: true, refusals: [] });
  });

  it('lets a server delete its own executors, one by one as a collection delete admits them too', () => {
    // Act
    const own = admit(request('DELETE', 'pods', null, sparkExecutorPod()));
    const collection = admit(request('DELETE', 'pods', null, null));
    // Assess
    expect(own.refusals).toEqual([]);
    expect(collection.refusals).toEqual([]);
  });

  it('leaves everyone but the driver’s account alone', () => {
    // Prepare
    const lambda = { username: 'orrery-dev:server-api', groups: ['orrery-dev:server-api'] };
    // Act
    const verdict = admit(request('DELETE', 'pods', null, labelled(BOB), lambda));
    // Assess
    expect(verdict.matched).toBe(false);
  });

  it.each([
    [
      'mounts another server’s Secret as a volume',
      (p: Json) => p.spec.volumes.push({ name: 't', secret: { secretName: BOB } }),
      "their server's Secret",
    ],
    [
      'projects another server’s Secret',
      (p: Json) => p.spec.volumes.push({ name: 't', projected: { sources: [{ secret: { name: BOB } }] } }),
      "their server's Secret",
    ],
    [
      'reads another server’s credentials token into its environment',
      (p: Json) => {
        p.spec.containers[1].env.find((e: Json) => e.name === 'ORRERY_SERVER_TOKEN').valueFrom.secretKeyRef.name = BOB;
      },
      "containers may read no Secret but their server's",
    ],
    [
      'loads another server’s Secret whole (envFrom) in an init container',
      (p: Json) => {
        p.spec.initContainers = [{ name: 'i', image: IMAGE, envFrom: [{ secretRef: { name: BOB } }] }];
      },
      "containers may read no Secret but their server's",
    ],
    [
      'carries another server’s label',
      (p: Json) => {
        p.metadata.labels['orrery.dev/server'] = BOB;
      },
      'create only objects labelled orrery.dev/server with its own id',
    ],
    [
      'carries no server label',
      (p: Json) => {
        delete p.metadata.labels['orrery.dev/server'];
      },
      'create only objects labelled orrery.dev/server with its own id',
    ],
    [
      'runs as another service account',
      (p: Json) => {
        p.spec.serviceAccountName = 'orrery-spark-driver';
      },
      'executor pods run as orrery-spark-executor',
    ],
    [
      'mounts a service account token',
      (p: Json) =>
        p.spec.volumes.push({
          name: 'kube-api-access',
          projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] },
        }),
      'no service account token',
    ],
    [
      'mounts another server’s home',
      (p: Json) => p.spec.volumes.push({ name: 'h', persistentVolumeClaim: { claimName: `${BOB}-home` } }),
      'no claim',
    ],
    [
      'poses as a server pod rather than an executor',
      (p: Json) => {
        p.metadata.labels['app.kubernetes.io/name'] = 'orrery-server';
      },
      'create only Spark executor pods',
    ],
  ])('refuses an executor pod that %s', (_what, change, message) => {
    // Prepare
    const pod = sparkExecutorPod();
    change(pod);
    // Act
    const verdict = admit(request('CREATE', 'pods', pod, null));
    // Assess
    expect(verdict.matched).toBe(true);
    expect(verdict.refusals.join('\n')).toContain(message);
  });

  it('refuses to delete another server’s pod, or to relabel one as its own', () => {
    // Prepare
    const bobs = {
      ...sparkExecutorPod(),
      metadata: { ...sparkExecutorPod().metadata, labels: { 'orrery.dev/server': BOB } },
    };
    const relabelled = { ...bobs, metadata: { ...bobs.metadata, labels: { 'orrery.dev/server': ADA } } };
    // Act
    const deleted = admit(request('DELETE', 'pods', null, bobs));
    const updated = admit(request('UPDATE', 'pods', relabelled, bobs));
    // Assess
    expect(deleted.refusals).toEqual([
      'a server may change and delete only objects labelled orrery.dev/server with its own id',
    ]);
    expect(updated.refusals).toContain(
      'a server may change and delete only objects labelled orrery.dev/server with its own id',
    );
  });

  it('refuses a token that is bound to no pod, whatever it asks', () => {
    // Act
    const created = admit(request('CREATE', 'pods', sparkExecutorPod(), null, withPodName()));
    const deleted = admit(request('DELETE', 'pods', null, sparkExecutorPod(), withPodName()));
    // Assess
    expect(created.refusals).toContain("orrery-spark-driver may write only with the token bound to its server's pod");
    expect(deleted.refusals).toContain("orrery-spark-driver may write only with the token bound to its server's pod");
  });

  it.each(['services', 'configmaps', 'persistentvolumeclaims'])(
    'holds %s to the same label rule, should the Role ever grant them',
    (resource) => {
      // Act
      const own = admit(request('CREATE', resource, labelled(ADA), null));
      const other = admit(request('CREATE', resource, labelled(BOB), null));
      const deleteOther = admit(request('DELETE', resource, null, labelled(BOB)));
      // Assess
      expect(own.refusals).toEqual([]);
      expect(other.refusals).toEqual(['a server may create only objects labelled orrery.dev/server with its own id']);
      expect(deleteOther.refusals).toEqual([
        'a server may change and delete only objects labelled orrery.dev/server with its own id',
      ]);
    },
  );
});
