import type { Pool } from '../../domain/profile.ts';
import { RUNNER_DEADLINE_MARGIN_SECONDS, type OutputLimits } from '../../domain/run-output.ts';

/** What a runner Job needs. */
export interface RunnerJobSpec {
  runId: string;
  namespace: string;
  /** The notebook's image: the run's profile's, so a run has the libraries (and CUDA) a server of that profile has. */
  image: string;
  /** The notebook-runner image, which only brings the runner program into the pod (RUNNER_PROGRAM). */
  runnerImage: string;
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
  /** The profile's pool whole: the nodes it selects and the taints of theirs it tolerates. */
  pool: Pick<Pool, 'nodeSelector' | 'tolerations'>;
  /** A run with a role: the runner serves its kernel the role's keys, fetched from the API with the run token. */
  credentials?: RunnerCredentials;
}

/** What a runner needs to fetch its run's AWS keys: the role (for its log), the API's URL and the run token. */
export interface RunnerCredentials {
  role: string;
  apiUrl: string;
  runToken: string;
}

/**
 * Where the runner program is in the runner image (`source`), where the notebook container finds a copy of it
 * (`mount`, read-only) and the file it runs there (`entry`, images/notebook-runner/Dockerfile's ENTRYPOINT).
 */
export const RUNNER_PROGRAM = { source: '/opt/orrery', mount: '/opt/orrery-runner', entry: 'runner.py' } as const;

/** The environment variables the runner reads its presigned input and output URLs from (runner.py). */
export const RUNNER_URL_VARIABLES = { input: 'ORRERY_INPUT_URL', output: 'ORRERY_OUTPUT_URL' } as const;

/**
 * The environment variables that make the runner serve its kernel a role's keys (images/notebook-runner/README.md,
 * "AWS credentials for notebooks"): set only for a run with a role. The runner removes the token (and the role and
 * URL) from its environment before the kernel starts; the run id stays, it marks the run's processes locally.
 */
export const RUNNER_CREDENTIAL_VARIABLES = {
  role: 'ORRERY_RUN_ROLE',
  apiUrl: 'ORRERY_API_URL',
  runId: 'ORRERY_RUN_ID',
  runToken: 'ORRERY_RUN_TOKEN',
} as const;

/** The runner's credential variables for a run with a role; none for a run without. */
export const runnerCredentialEnvironment = (runId: string, c: RunnerCredentials | undefined): Record<string, string> =>
  c
    ? {
        [RUNNER_CREDENTIAL_VARIABLES.role]: c.role,
        [RUNNER_CREDENTIAL_VARIABLES.apiUrl]: c.apiUrl,
        [RUNNER_CREDENTIAL_VARIABLES.runId]: runId,
        [RUNNER_CREDENTIAL_VARIABLES.runToken]: c.runToken,
      }
    : {};

/** The DNS-safe name of a run's Job: run ids are already lowercase letters, digits and one dash. */
export const runnerJobName = (runId: string): string => `orrery-${runId}`.slice(0, 63);

/** The runner's command line (no URL: whoever reads the pod's processes reads it); no caps given, the runner's own. */
export const runnerArgs = (
  s: Pick<RunnerJobSpec, 'timeoutSeconds' | 'cellTimeoutSeconds'> & Partial<Pick<RunnerJobSpec, 'output'>>,
): string[] => [
  '--timeout',
  String(s.timeoutSeconds),
  ...(s.cellTimeoutSeconds ? ['--cell-timeout', String(s.cellTimeoutSeconds)] : []),
  ...(s.output
    ? [
        '--max-output-bytes',
        String(s.output.maxOutputBytes),
        '--max-notebook-output-bytes',
        String(s.output.maxNotebookOutputBytes),
      ]
    : []),
];

const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: false,
  capabilities: { drop: ['ALL'] },
};
const PROGRAM_VOLUME = 'runner-program';

const runnerResources = (s: RunnerJobSpec) => {
  // Kubernetes requires extended resources such as GPUs to be requested exactly as limited.
  const gpu = s.gpus ? { 'nvidia.com/gpu': String(s.gpus) } : {};
  return { requests: { cpu: s.cpu, memory: s.memory, ...gpu }, limits: { memory: s.memory, ...gpu } };
};

// The runner image only carries the program: this copies it into a volume the notebook container reads.
const programCopier = (s: RunnerJobSpec) => ({
  name: 'runner-program',
  image: s.runnerImage,
  command: ['cp', '-R', `${RUNNER_PROGRAM.source}/.`, `${RUNNER_PROGRAM.mount}/`],
  volumeMounts: [{ name: PROGRAM_VOLUME, mountPath: RUNNER_PROGRAM.mount }],
  resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '32Mi' } },
  securityContext: CONTAINER_SECURITY,
});

// Mounted read-only: the notebook's code, same uid, must not be able to rewrite the program that reports on it.
const runnerContainer = (s: RunnerJobSpec) => ({
  name: 'runner',
  image: s.image,
  command: ['python3', `${RUNNER_PROGRAM.mount}/${RUNNER_PROGRAM.entry}`],
  args: ['--non-dumpable', ...runnerArgs(s)],
  env: [
    { name: RUNNER_URL_VARIABLES.input, value: s.inputUrl },
    { name: RUNNER_URL_VARIABLES.output, value: s.outputUrl },
    ...Object.entries(runnerCredentialEnvironment(s.runId, s.credentials)).map(([name, value]) => ({ name, value })),
  ],
  volumeMounts: [{ name: PROGRAM_VOLUME, mountPath: RUNNER_PROGRAM.mount, readOnly: true }],
  resources: runnerResources(s),
  securityContext: CONTAINER_SECURITY,
});

/**
 * The Kubernetes Job that executes one run: no retries (a rerun is a new run), a hard deadline a little past
 * the run's own timeout, and cleanup after an hour. The notebook runs in the profile's image on the profile's
 * pool (its node selector and tolerations), as a server of that profile would; an init container copies the
 * runner program in from the notebook-runner image, so any image that runs `jupyter server` can run notebooks.
 * The presigned URLs go in the environment, never the arguments (/proc/1/cmdline is readable by the
 * notebook's kernel); the runner takes them out of its environment before the kernel starts and makes
 * itself non-dumpable, so the kernel (same uid, no capabilities) cannot read /proc/1/environ either.
 * A run with a role gets its run token the same way, as a plain value rather than a Secret: the Job is made by
 * Step Functions' eks:runJob.sync from the workflow's state, which holds it (and the URLs) already, and a Secret
 * would need a step of its own to make and another to delete while adding nothing the pod spec's readers
 * (the runners' namespace, RBAC-guarded, and the workflow's history) do not already have. The token is worth
 * something only while the run lasts: the credentials route refuses it once the run has ended.
 */
export const makeRunnerJob = (s: RunnerJobSpec) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name: runnerJobName(s.runId),
    namespace: s.namespace,
    labels: { 'app.kubernetes.io/name': 'orrery-runner', 'orrery.dev/run': s.runId },
  },
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
        nodeSelector: { ...s.pool.nodeSelector },
        tolerations: s.pool.tolerations.map((t) => ({ ...t })),
        volumes: [{ name: PROGRAM_VOLUME, emptyDir: { sizeLimit: '64Mi' } }],
        initContainers: [programCopier(s)],
        containers: [runnerContainer(s)],
      },
    },
  },
});
