import { describe, expect, it } from 'vitest';
import { makeRunnerJob, runnerJobName } from '../../../src/adapters/k8s/runner-job.ts';

describe('makeRunnerJob', () => {
  const spec = {
    runId: 'run-abc123',
    namespace: 'orrery',
    image: 'runner:1',
    serviceAccount: 'orrery-runner',
    inputUrl: 'https://in?X-Amz-Signature=s1',
    outputUrl: 'https://out?X-Amz-Signature=s2',
    timeoutSeconds: 600,
    output: { maxOutputBytes: 1000, maxNotebookOutputBytes: 5000 },
    cpu: '1',
    memory: '2Gi',
  };

  it('builds the runner Job: no retries, a deadline past the run timeout, non-root, the runner’s arguments', () => {
    // Act
    const job = makeRunnerJob(spec);
    // Assess
    expect(job).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'orrery-run-abc123', namespace: 'orrery', labels: { 'app.kubernetes.io/name': 'orrery-runner', 'orrery.dev/run': 'run-abc123' } },
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
            containers: [
              {
                name: 'runner',
                image: 'runner:1',
                args: ['--non-dumpable', '--timeout', '600', '--max-output-bytes', '1000', '--max-notebook-output-bytes', '5000'],
                env: [
                  { name: 'ORRERY_INPUT_URL', value: 'https://in?X-Amz-Signature=s1' },
                  { name: 'ORRERY_OUTPUT_URL', value: 'https://out?X-Amz-Signature=s2' },
                ],
                resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '2Gi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } },
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
    expect(container.args.slice(container.args.indexOf('--cell-timeout'), container.args.indexOf('--cell-timeout') + 2)).toEqual(['--cell-timeout', '30']);
  });

  it('names Jobs within the 63 characters Kubernetes allows', () => {
    expect(runnerJobName(`run-${'x'.repeat(80)}`).length).toBeLessThanOrEqual(63);
  });
});
