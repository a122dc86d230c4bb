import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupRules } from '../../src/adapters/k8s/cluster-rbac.ts';
import { CLUSTER_DEFAULTS, type ClusterGroupKey } from '../../src/contracts/cluster-setup.ts';
import { KubernetesServerCompute, makeKubernetesClients } from '../../src/adapters/k8s/kubernetes-server-compute.ts';
import { LocalStepFunctions } from '../../src/adapters/local/local-step-functions.ts';
import { makeServerTasks } from '../../src/handlers/tasks/server-tasks.ts';
import { launchServer } from '../../src/use-cases/launch-server.ts';
import { stopServer } from '../../src/use-cases/stop-server.ts';
import { memoryServerDeps, people } from '../support/fakes.ts';
import { rbacAllows, startFakeKubernetes, type FakeKubernetes } from '../support/fake-kubernetes.ts';
import { eventually } from '../support/servers.ts';

const NAMESPACE = CLUSTER_DEFAULTS.serverNamespace;
let fake: FakeKubernetes;

// Each Lambda signs in as its own role, and the fake API server grants each only its group's Role
// (infra/k8s/rbac.yaml).
const GROUP_BY_TOKEN: Record<string, ClusterGroupKey> = {
  'Bearer k8s-aws-v1.server-api': 'serverApi',
  'Bearer k8s-aws-v1.server-tasks': 'serverTasks',
};

/**
 * The cloud's launch path end to end, short of AWS: launch-server.asl.json run by aws-local-stepfunctions
 * with every Task state bound to the task handler the Lambda exports, over the EKS compute talking to a
 * fake Kubernetes API server. The test moves the pod through its life the way the kubelet would.
 */
const cloudLike = () => {
  const deps = memoryServerDeps();
  const computeAs = (token: string) => {
    const clients = makeKubernetesClients({ endpoint: fake.url, skipTlsVerify: true, token: async () => token });
    return new KubernetesServerCompute({
      ...clients,
      namespace: NAMESPACE,
      serviceAccount: 'orrery-server',
      reporterImage: 'orrery/notebook-server:test',
      credentialsImage: 'orrery/notebook-runner:test',
      publicBaseUrl: 'https://notebooks.example.com',
    });
  };
  const compute = computeAs('k8s-aws-v1.server-api');
  const taskCompute = computeAs('k8s-aws-v1.server-tasks');
  const noRuns = async () => {
    throw new Error('no runs here');
  };
  const workflows = new LocalStepFunctions(
    { prepare: noRuns, markStarted: noRuns, launch: noRuns, finalize: noRuns, cleanup: noRuns, stop: noRuns },
    { task: (payload) => makeServerTasks({ ...all, compute: taskCompute })(payload), pollMs: 20 },
  );
  const all = { ...deps, compute, workflows };
  return all;
};

const scheduled = { type: 'PodScheduled', status: 'True' };

beforeAll(async () => {
  fake = await startFakeKubernetes();
  fake.state.authorize = (request, a) => {
    const group = GROUP_BY_TOKEN[request.authorization ?? ''];
    return group !== undefined && a.namespace === NAMESPACE && rbacAllows(groupRules(group), a);
  };
});
afterAll(async () => {
  await fake.close();
});

describe('launching a server on EKS through the launch-server workflow', () => {
  it('creates the pod and Service, follows the pod to ready, and records the public URL', async () => {
    // Prepare
    const deps = cloudLike();
    // Act
    const { server } = await launchServer(deps, { user: people.alice, name: 'lab' });
    await eventually(async () => fake.state.pods.get(server.id), 'the pod');
    const pod = fake.state.pods.get(server.id)!;
    pod.spec.nodeName = 'ip-10-0-1-2';
    pod.status = {
      phase: 'Pending',
      conditions: [scheduled],
      containerStatuses: [{ name: 'notebook', ready: false, state: { waiting: { reason: 'ContainerCreating' } } }],
    };
    await eventually(
      async () => (await deps.servers.getServer(server.id))!.progress.some((e) => e.message.startsWith('Pulling')),
      'the pulling stage',
    );
    pod.status = {
      phase: 'Running',
      conditions: [scheduled],
      containerStatuses: [{ name: 'notebook', ready: true, state: { running: {} } }],
    };
    fake.state.proxy.set('/user/alice/lab/api', 200);
    const running = await eventually(async () => {
      const s = await deps.servers.getServer(server.id);
      return s?.status === 'RUNNING' ? s : null;
    }, 'RUNNING');
    // Assess
    expect(running.url).toBe('https://notebooks.example.com/user/alice/lab/');
    expect(running.progress.map((e) => e.progress)).toEqual([10, 50, 100]);
    expect(fake.state.services.has(server.id)).toBe(true);
    expect(fake.state.secrets.get(server.id)?.stringData?.token).toMatch(/^osv1\./);
    expect(running.cullCheckAt).toBeDefined();
    await deps.workflows.idle();
  });

  it('records FAILED with the image pull error and deletes what it made', async () => {
    // Prepare
    const deps = cloudLike();
    // Act
    const { server } = await launchServer(deps, { user: people.bob, name: 'broken' });
    await eventually(async () => fake.state.pods.get(server.id), 'the pod');
    const pod = fake.state.pods.get(server.id)!;
    pod.spec.nodeName = 'ip-10-0-1-2';
    pod.status = {
      phase: 'Pending',
      conditions: [scheduled],
      containerStatuses: [
        {
          name: 'notebook',
          ready: false,
          state: {
            waiting: { reason: 'ErrImagePull', message: 'manifest for quay.io/jupyter/scipy-notebook:nope not found' },
          },
        },
      ],
    };
    const failed = await eventually(async () => {
      const s = await deps.servers.getServer(server.id);
      return s?.status === 'FAILED' ? s : null;
    }, 'FAILED');
    await deps.workflows.idle();
    // Assess
    expect(failed.reason).toMatch(/image pull failed: manifest for .* not found/);
    expect(failed.progress.at(-1)).toMatchObject({ failed: true });
    expect(fake.state.pods.has(server.id)).toBe(false);
    expect(fake.state.services.has(server.id)).toBe(false);
    expect(await deps.servers.listSlots('bob')).toEqual([]);
  });

  it('stops a launch in flight: the pod goes and the workflow ends without flipping the record', async () => {
    // Prepare
    const deps = cloudLike();
    const { server } = await launchServer(deps, { user: people.amir, name: 'short' });
    await eventually(async () => fake.state.pods.get(server.id), 'the pod');
    // Act
    await stopServer(deps, { user: people.amir, name: 'short' });
    await deps.workflows.idle();
    // Assess
    expect((await deps.servers.getServer(server.id))!.status).toBe('STOPPED');
    expect(fake.state.pods.has(server.id)).toBe(false);
    expect(fake.state.secrets.has(server.id)).toBe(false);
  });
});
