/** What a runner Job needs. */
export interface RunnerJobSpec {
  runId: string;
  namespace: string;
  image: string;
  serviceAccount: string;
  inputUrl: string;
  outputUrl: string;
  timeoutSeconds: number;
  cellTimeoutSeconds?: number | null;
  cpu: string;
  memory: string;
  gpus?: number;
  nodeSelector?: Record<string, string>;
}

/** The DNS-safe name of a run's Job: run ids are already lowercase letters, digits and one dash. */
export const runnerJobName = (runId: string): string => `orrery-${runId}`.slice(0, 63);

/**
 * The Kubernetes Job that executes one run with the notebook-runner image: no retries (a rerun is
 * a new run), a hard deadline a little past the run's own timeout, and cleanup after an hour.
 */
export const makeRunnerJob = (s: RunnerJobSpec) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: runnerJobName(s.runId), namespace: s.namespace, labels: { 'app.kubernetes.io/name': 'orrery-runner', 'orrery.dev/run': s.runId } },
  spec: {
    backoffLimit: 0,
    activeDeadlineSeconds: s.timeoutSeconds + 120,
    ttlSecondsAfterFinished: 3600,
    template: {
      metadata: { labels: { 'app.kubernetes.io/name': 'orrery-runner', 'orrery.dev/run': s.runId } },
      spec: {
        restartPolicy: 'Never',
        serviceAccountName: s.serviceAccount,
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
        ...(s.nodeSelector && Object.keys(s.nodeSelector).length ? { nodeSelector: s.nodeSelector } : {}),
        ...(s.gpus ? { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } : {}),
        containers: [
          {
            name: 'runner',
            image: s.image,
            args: ['--input', s.inputUrl, '--output', s.outputUrl, '--timeout', String(s.timeoutSeconds), ...(s.cellTimeoutSeconds ? ['--cell-timeout', String(s.cellTimeoutSeconds)] : [])],
            resources: s.gpus
              ? { requests: { cpu: s.cpu, memory: s.memory, 'nvidia.com/gpu': String(s.gpus) }, limits: { memory: s.memory, 'nvidia.com/gpu': String(s.gpus) } }
              : { requests: { cpu: s.cpu, memory: s.memory }, limits: { memory: s.memory } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    },
  },
});
