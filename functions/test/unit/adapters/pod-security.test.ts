import { describe, expect, it } from 'vitest';
import { makeRunnerJob } from '../../../src/adapters/k8s/runner-job.ts';
import {
  CREDENTIALS_TOKEN_KEY,
  makeServerPod,
  type ServerPodSpec,
} from '../../../src/adapters/k8s/server-manifests.ts';
import { CPU_LAUNCH_SPEC } from '../../support/server-specs.ts';

// One field per test: the whole-manifest comparisons in server-manifests and runner-job tests break on any change
// and get rewritten wholesale, so each rule of the pod security context is also guarded here on its own.

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}

interface Container {
  name: string;
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; readOnly?: boolean }>;
}

interface PodSpec {
  securityContext?: SecurityContext;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  automountServiceAccountToken?: boolean;
  volumes?: Array<Record<string, unknown>>;
  initContainers?: Container[];
  containers: Container[];
}

const GPU_POOL = {
  kind: 'gpu' as const,
  nodeSelector: { 'orrery.dev/pool': 'gpu' },
  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' as const, effect: 'NoSchedule' as const }],
};

const serverSpec: ServerPodSpec = {
  ...CPU_LAUNCH_SPEC,
  namespace: 'orrery-users',
  serviceAccount: 'orrery-server',
  credentialsImage: 'orrery/notebook-runner:1',
};
const gpuServerSpec: ServerPodSpec = { ...serverSpec, resources: { ...serverSpec.resources, gpus: 1 }, pool: GPU_POOL };

const runnerSpec = {
  runId: 'run-abc123',
  namespace: 'orrery',
  image: 'quay.io/jupyter/scipy-notebook:2025-06-30',
  runnerImage: 'orrery/notebook-runner:1',
  serviceAccount: 'orrery-runner',
  inputUrl: 'https://in?X-Amz-Signature=s1',
  outputUrl: 'https://out?X-Amz-Signature=s2',
  timeoutSeconds: 600,
  output: { maxOutputBytes: 1000, maxNotebookOutputBytes: 5000 },
  cpu: '1',
  memory: '2Gi',
  pool: { nodeSelector: { 'orrery.dev/pool': 'cpu' }, tolerations: [] },
};

// The pod specs as sent (JSON), so an `undefined` left in a builder reads as absent, as the API server reads it.
const asSent = (spec: object): PodSpec => JSON.parse(JSON.stringify(spec));

const POD_SPECS: Array<[string, () => PodSpec]> = [
  ['server pod', () => asSent(makeServerPod(serverSpec).spec)],
  ['GPU server pod', () => asSent(makeServerPod(gpuServerSpec).spec)],
  ['runner Job', () => asSent(makeRunnerJob(runnerSpec).spec.template.spec)],
  ['GPU runner Job', () => asSent(makeRunnerJob({ ...runnerSpec, gpus: 1, pool: GPU_POOL }).spec.template.spec)],
];

const containersOf = (pod: PodSpec): Container[] => [...(pod.initContainers ?? []), ...pod.containers];

// A container's own setting wins over the pod's, as Kubernetes applies them.
const effective = <K extends keyof SecurityContext>(pod: PodSpec, container: Container, key: K) =>
  container.securityContext?.[key] ?? pod.securityContext?.[key];

describe.each(POD_SPECS)('the %s', (_, build) => {
  it('runs every container as a non-root user', () => {
    // Act
    const pod = build();
    // Assess
    for (const c of containersOf(pod)) {
      expect(effective(pod, c, 'runAsNonRoot'), c.name).toBe(true);
      expect(effective(pod, c, 'runAsUser'), c.name).toBeGreaterThan(0);
    }
  });

  it('lets no container gain more privileges than its parent process', () => {
    // Act
    const containers = containersOf(build());
    // Assess
    for (const c of containers) expect(c.securityContext?.allowPrivilegeEscalation, c.name).toBe(false);
  });

  it('drops every Linux capability from every container and adds none back', () => {
    // Act
    const containers = containersOf(build());
    // Assess
    for (const c of containers) expect(c.securityContext?.capabilities, c.name).toEqual({ drop: ['ALL'] });
  });

  it('runs no container privileged', () => {
    // Act
    const pod = build();
    // Assess
    for (const c of containersOf(pod)) expect(effective(pod, c, 'privileged') ?? false, c.name).toBe(false);
  });

  it('never turns seccomp off for the pod or a container', () => {
    // Act
    const pod = build();
    // Assess
    for (const c of containersOf(pod)) expect(effective(pod, c, 'seccompProfile')?.type, c.name).not.toBe('Unconfined');
  });

  it('shares nothing with the node: no host network, PIDs, IPC or host path', () => {
    // Act
    const pod = build();
    // Assess
    expect([pod.hostNetwork ?? false, pod.hostPID ?? false, pod.hostIPC ?? false]).toEqual([false, false, false]);
    expect((pod.volumes ?? []).filter((v) => 'hostPath' in v)).toEqual([]);
  });

  it('mounts no service account token, since notebook code runs in it', () => {
    // Act
    const pod = build();
    // Assess
    expect(pod.automountServiceAccountToken).toBe(false);
  });
});

describe('the runner Job’s notebook container', () => {
  it('mounts the runner program read-only, so the notebook it runs cannot rewrite its reporter', () => {
    // Act
    const runner = asSent(makeRunnerJob(runnerSpec).spec.template.spec).containers.find((c) => c.name === 'runner')!;
    // Assess
    expect(runner.volumeMounts?.length).toBeGreaterThan(0);
    for (const mount of runner.volumeMounts ?? []) expect(mount.readOnly, mount.name).toBe(true);
  });
});

describe('the server pod’s AWS credentials', () => {
  it('hands the credentials token to the credentials sidecar alone, never to the notebook or the reporter', () => {
    // Act
    const pod = makeServerPod(serverSpec).spec;
    // Assess
    const readers = pod.containers
      .filter((c) => c.env.some((e) => e.valueFrom?.secretKeyRef.key === CREDENTIALS_TOKEN_KEY))
      .map((c) => c.name);
    expect(readers).toEqual(['aws-credentials']);
  });

  it('gives the notebook the token file and the sidecar’s URI, never a token in its environment', () => {
    // Act
    const notebook = makeServerPod(serverSpec).spec.containers.find((c) => c.name === 'notebook')!;
    // Assess
    const aws = notebook.env.filter((e) => e.name.startsWith('AWS_')).map((e) => [e.name, e.value]);
    expect(aws).toEqual([
      ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'http://127.0.0.1:9911/credentials'],
      ['AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', '/var/run/orrery/credentials/token'],
    ]);
  });

  it('runs the sidecar as the notebook’s user, so the 0600 token file it writes is readable by the notebook', () => {
    // Act
    const containers = makeServerPod(serverSpec).spec.containers;
    // Assess
    const uid = (name: string) => containers.find((c) => c.name === name)!.securityContext.runAsUser;
    expect(uid('aws-credentials')).toBe(uid('notebook'));
  });
});
