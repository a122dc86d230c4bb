import { RUNNER_DEADLINE_MARGIN_SECONDS, type OutputLimits } from '../../domain/run-output.ts';

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
  /** The runner's caps on outputs, in bytes as saved: each output, and all of the notebook's together. */
  output: OutputLimits;
  cpu: string;
  memory: string;
  gpus?: number;
  nodeSelector?: Record<string, string>;
}

/** The environment variables the runner reads its presigned input and output URLs from (runner.py). */
export const RUNNER_URL_VARIABLES = { input: 'ORRERY_INPUT_URL', output: 'ORRERY_OUTPUT_URL' } as const;


/** The DNS-safe name of a run's Job: run ids are already lowercase letters, digits and one dash. */
export const runnerJobName = (runId: string): string => `orrery-${runId}`.slice(0, 63);

/** The runner's command line (no URL: anyone who can read the pod's processes can read it); no caps given, the runner's own. */
export const runnerArgs = (s: Pick<RunnerJobSpec, 'timeoutSeconds' | 'cellTimeoutSeconds'> & Partial<Pick<RunnerJobSpec, 'output'>>): string[] => [
  '--timeout',
  String(s.timeoutSeconds),
  ...(s.cellTimeoutSeconds ? ['--cell-timeout', String(s.cellTimeoutSeconds)] : []),
  ...(s.output ? ['--max-output-bytes', String(s.output.maxOutputBytes), '--max-notebook-output-bytes', String(s.output.maxNotebookOutputBytes)] : []),
];

/**
 * The Kubernetes Job that executes one run with the notebook-runner image: no retries (a rerun is
 * a new run), a hard deadline a little past the run's own timeout, and cleanup after an hour.
 * The presigned URLs go in the environment, never the arguments (/proc/1/cmdline is readable by the
 * notebook's kernel); the runner takes them out of its environment before the kernel starts and makes
 * itself non-dumpable, so the kernel (same uid, no capabilities) cannot read /proc/1/environ either.
 */
export const makeRunnerJob = (s: RunnerJobSpec) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: runnerJobName(s.runId), namespace: s.namespace, labels: { 'app.kubernetes.io/name': 'orrery-runner', 'orrery.dev/run': s.runId } },
  spec: {
    backoffLimit: 0,
    activeDeadlineSeconds: s.timeoutSeconds + RUNNER_DEADLINE_MARGIN_SECONDS,
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
            args: ['--non-dumpable', ...runnerArgs(s)],
            env: [
              { name: RUNNER_URL_VARIABLES.input, value: s.inputUrl },
              { name: RUNNER_URL_VARIABLES.output, value: s.outputUrl },
            ],
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
