import { describe, expect, it } from 'vitest';
import { makeRunnerJob, runnerJobName } from '../../../src/adapters/k8s/runner-job.ts';

describe('makeRunnerJob', () => {
  it('builds the runner Job: no retries, a deadline past the run timeout, non-root, the runner’s arguments', () => {
    // Act
    const job = makeRunnerJob({ runId: 'run-abc123', namespace: 'orrery', image: 'runner:1', serviceAccount: 'orrery-runner', inputUrl: 'https://in', outputUrl: 'https://out', timeoutSeconds: 600, cpu: '1', memory: '2Gi' });
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
                args: ['--input', 'https://in', '--output', 'https://out', '--timeout', '600'],
                resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '2Gi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    });
  });

  it('names Jobs within the 63 characters Kubernetes allows', () => {
    expect(runnerJobName(`run-${'x'.repeat(80)}`).length).toBeLessThanOrEqual(63);
  });
});
