import { describe, expect, it } from 'vitest';
import { makeRunnerJob, runnerJobName } from '../../../src/adapters/k8s/runner-job.ts';

describe('makeRunnerJob', () => {
  const spec = {
    runId: 'run-abc123',
    namespace: 'orrery',
    image: 'quay.io/jupyter/scipy-notebook:2025-06-30',
    runnerImage: 'runner:1',
    serviceAccount: 'orrery-runner',
    inputUrl: 'https://in?X-Amz-Signature=s1',
    outputUrl: 'https://out?X-Amz-Signature=s2',
    timeoutSeconds: 600,
    output: { maxOutputBytes: 1000, maxNotebookOutputBytes: 5000 },
    cpu: '1',
    memory: '2Gi',
    pool: {
      nodeSelector: { 'orrery.dev/pool': 'cpu-spot' },
      tolerations: [{ key: 'orrery.dev/spot', operator: 'Exists' as const, effect: 'NoSchedule' as const }],
    },
  };

  it('builds the runner Job: no retries, a deadline past the timeout, non-root, the profile’s pool and image', () => {
    // Act
    const job = makeRunnerJob(spec);
    // Assess
    expect(job).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'orrery-run-abc123',
        namespace: 'orrery',
        labels: { 'app.kubernetes.io/name': 'orrery-runner', 'orrery.dev/run': 'run-abc123' },
      },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 720,
        ttlSecondsAfterFinished: 3600,
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'orrery-runner', 'orrery.dev/run': 'run-abc123' } },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: 'orrery-runner',
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
            nodeSelector: { 'orrery.dev/pool': 'cpu-spot' },
            tolerations: [{ key: 'orrery.dev/spot', operator: 'Exists', effect: 'NoSchedule' }],
            volumes: [{ name: 'runner-program', emptyDir: { sizeLimit: '64Mi' } }],
            initContainers: [
              {
                name: 'runner-program',
                image: 'runner:1',
                command: ['cp', '-R', '/opt/orrery/.', '/opt/orrery-runner/'],
                volumeMounts: [{ name: 'runner-program', mountPath: '/opt/orrery-runner' }],
                resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '32Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: false,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
            containers: [
              {
                name: 'runner',
                image: 'quay.io/jupyter/scipy-notebook:2025-06-30',
                command: ['python3', '/opt/orrery-runner/runner.py'],
                args: [
                  '--non-dumpable',
                  '--timeout',
                  '600',
                  '--max-output-bytes',
                  '1000',
                  '--max-notebook-output-bytes',
                  '5000',
                ],
                env: [
                  { name: 'ORRERY_INPUT_URL', value: 'https://in?X-Amz-Signature=s1' },
                  { name: 'ORRERY_OUTPUT_URL', value: 'https://out?X-Amz-Signature=s2' },
                ],
                volumeMounts: [{ name: 'runner-program', mountPath: '/opt/orrery-runner', readOnly: true }],
                resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '2Gi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: false,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    });
  });

  it('keeps the presigned URLs off the command line, which the notebook’s kernel can read from /proc/1/cmdline', () => {
    // Act
    const container = makeRunnerJob({ ...spec, cellTimeoutSeconds: 30 }).spec.template.spec.containers[0]!;
    // Assess
    expect(container.args.join(' ')).not.toMatch(/https:|Signature/);
    expect(container.args).toContain('--non-dumpable');
    expect(
      container.args.slice(container.args.indexOf('--cell-timeout'), container.args.indexOf('--cell-timeout') + 2),
    ).toEqual(['--cell-timeout', '30']);
  });

  it('gives the runner of a run with a role its API, run id and run token in the environment, never the arguments', () => {
    // Prepare
    const credentials = { role: 'ads-analyst', apiUrl: 'https://api.example.com/api', runToken: 'r'.repeat(43) };

    // Act
    const container = makeRunnerJob({ ...spec, credentials }).spec.template.spec.containers[0]!;

    // Assess
    expect(container.env).toEqual([
      { name: 'ORRERY_INPUT_URL', value: 'https://in?X-Amz-Signature=s1' },
      { name: 'ORRERY_OUTPUT_URL', value: 'https://out?X-Amz-Signature=s2' },
      { name: 'ORRERY_RUN_ROLE', value: 'ads-analyst' },
      { name: 'ORRERY_API_URL', value: 'https://api.example.com/api' },
      { name: 'ORRERY_RUN_ID', value: 'run-abc123' },
      { name: 'ORRERY_RUN_TOKEN', value: 'r'.repeat(43) },
    ]);
    expect(container.args.join(' ')).not.toContain('r'.repeat(43));
  });

  it('tolerates exactly the taints the profile’s pool names, a GPU pool’s included, and requests its GPUs', () => {
    // Prepare
    const taint = { key: 'example.com/gpu', operator: 'Equal' as const, value: 'a10', effect: 'NoExecute' as const };
    const gpuPool = { nodeSelector: { 'orrery.dev/pool': 'gpu-a10' }, tolerations: [taint] };
    const onDemandPool = { nodeSelector: { 'orrery.dev/pool': 'cpu-on-demand' }, tolerations: [] };

    // Act
    const pod = makeRunnerJob({ ...spec, gpus: 2, pool: gpuPool }).spec.template.spec;
    const onDemand = makeRunnerJob({ ...spec, pool: onDemandPool }).spec.template.spec;

    // Assess
    expect(pod.nodeSelector).toEqual({ 'orrery.dev/pool': 'gpu-a10' });
    expect(pod.tolerations).toEqual([{ key: 'example.com/gpu', operator: 'Equal', value: 'a10', effect: 'NoExecute' }]);
    expect(pod.containers[0]!.resources).toEqual({
      requests: { cpu: '1', memory: '2Gi', 'nvidia.com/gpu': '2' },
      limits: { memory: '2Gi', 'nvidia.com/gpu': '2' },
    });
    expect(onDemand.nodeSelector).toEqual({ 'orrery.dev/pool': 'cpu-on-demand' });
    expect(onDemand.tolerations).toEqual([]);
  });

  it('runs the notebook in the profile’s image, the runner program brought read-only from the runner image', () => {
    // Act
    const pod = makeRunnerJob(spec).spec.template.spec;

    // Assess
    const [copier, runner] = [pod.initContainers[0]!, pod.containers[0]!];
    expect([copier.image, runner.image]).toEqual(['runner:1', 'quay.io/jupyter/scipy-notebook:2025-06-30']);
    expect(runner.command).toEqual(['python3', '/opt/orrery-runner/runner.py']);
    expect(runner.volumeMounts).toEqual([{ name: 'runner-program', mountPath: '/opt/orrery-runner', readOnly: true }]);
  });

  it('names Jobs within the 63 characters Kubernetes allows', () => {
    expect(runnerJobName(`run-${'x'.repeat(80)}`).length).toBeLessThanOrEqual(63);
  });
});
