import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerFailedError, RunnerUnavailableError, RunStoppedError } from '../../domain/errors.ts';
import { RUNNER_DEADLINE_MARGIN_SECONDS } from '../../domain/run-output.ts';
import {
  RUNNER_CREDENTIAL_VARIABLES,
  RUNNER_URL_VARIABLES,
  runnerArgs,
  runnerCredentialEnvironment,
  type RunnerCredentials,
  type RunnerJobSpec,
} from '../k8s/runner-job.ts';
import { kernelEnvironment } from './kernel-environment.ts';
import { killGroup, reapProcessesMarked } from './process-tree.ts';

/** What the local runner needs from the prepare step. */
export interface LocalLaunch {
  runId: string;
  inputUrl: string;
  outputUrl: string;
  timeoutSeconds: number;
  cellTimeoutSeconds?: number;
  output?: RunnerJobSpec['output'];
  /** A run with a role: the runner serves its kernel the role's keys (the Job's credential variables). */
  credentials?: RunnerCredentials;
}

/** The part of a runner Job local mode reads: its run label, and its one container's arguments and environment. */
export interface LocalRunnerJob {
  metadata: { labels: Record<string, string> };
  spec: { template: { spec: { containers: Array<{ args: string[]; env?: Array<{ name: string; value: string }> }> } } };
}

const INSTALL_HINT =
  "install Debian's Jupyter (apt-get install python3-nbclient python3-ipykernel jupyter-client) " +
  'or set ORRERY_PYTHON to a Python that has nbclient and ipykernel';

// The runner saves its partial output on SIGTERM; give it that long before the whole group is killed.
const GRACE_MS = 15_000;

/**
 * Local mode's stand-in for the runner Job: `runner.py` (the program the image runs) as a
 * process group of its own per run, so stopping a run ends exactly that runner and its kernel.
 * The runner gets the presigned URLs (and, for a run with a role, the run token) in its environment, as the Job's
 * container does, and otherwise only an allowlisted environment (kernel-environment.ts): never the platform's own
 * (keys, settings).
 * It is not made non-dumpable here: the platform finds a crashed life's runners by their environment,
 * and a kernel running as the developer can read their files and processes anyway.
 */
export class LocalRunnerCompute {
  private readonly running = new Map<string, ChildProcess>();
  private readonly stopped = new Set<string>();
  private environment: Promise<string | null> | undefined;

  constructor(
    private readonly python: string,
    private readonly runnerScript: string,
    private readonly workDir: string,
    /** Variable names passed to kernels on top of the allowlist (ORRERY_KERNEL_ENV). */
    private readonly extraEnvironment: readonly string[] = [],
  ) {}

  /** Why runs cannot execute here, or null when the interpreter has nbclient and a kernel; asked once. */
  environmentProblem(): Promise<string | null> {
    this.environment ??= new Promise((resolve) => {
      let stderr = '';
      const probe = spawn(this.python, ['-c', 'import nbclient, nbformat, ipykernel'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      probe.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const fail = (why: string) => resolve(`cannot run notebooks with ${this.python}: ${why}; ${INSTALL_HINT}`);
      probe.once('error', (err) => fail(err.message));
      probe.once('close', (code) =>
        code === 0 ? resolve(null) : fail(stderr.trim().split('\n').at(-1) ?? `exit ${code}`),
      );
    });
    return this.environment;
  }

  /** Runs what the runner Job would run on EKS: the same container arguments and URLs, as a local process. */
  async runJob(job: LocalRunnerJob): Promise<void> {
    const runId = job.metadata.labels['orrery.dev/run'];
    const container = job.spec.template.spec.containers[0];
    const args = container?.args ?? [];
    const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
    const env = (name: string) => container?.env?.find((e) => e.name === name)?.value;
    const [inputUrl, outputUrl] = [env(RUNNER_URL_VARIABLES.input), env(RUNNER_URL_VARIABLES.output)];
    if (!runId || !inputUrl || !outputUrl) throw new RunnerFailedError('the runner Job names no run, input or output');
    const numberOf = (name: string) => (arg(name) ? Number(arg(name)) : undefined);
    const [maxOutputBytes, maxNotebookOutputBytes] = [
      numberOf('--max-output-bytes'),
      numberOf('--max-notebook-output-bytes'),
    ];
    const output = maxOutputBytes && maxNotebookOutputBytes ? { maxOutputBytes, maxNotebookOutputBytes } : undefined;
    const [role, apiUrl, runToken] = [
      env(RUNNER_CREDENTIAL_VARIABLES.role),
      env(RUNNER_CREDENTIAL_VARIABLES.apiUrl),
      env(RUNNER_CREDENTIAL_VARIABLES.runToken),
    ];
    const credentials = role && apiUrl && runToken ? { role, apiUrl, runToken } : undefined;
    await this.run({
      runId,
      inputUrl,
      outputUrl,
      timeoutSeconds: numberOf('--timeout') ?? 3600,
      cellTimeoutSeconds: numberOf('--cell-timeout'),
      output,
      credentials,
    });
  }

  /** Runs the notebook to the end; throws the error the workflow's Catch matches when it did not complete. */
  async run(launch: LocalLaunch): Promise<void> {
    const problem = await this.environmentProblem();
    if (problem) throw new RunnerUnavailableError(problem);
    if (this.stopped.has(launch.runId)) throw new RunStoppedError(`run ${launch.runId} was stopped before it launched`);
    const cwd = join(this.workDir, launch.runId);
    mkdirSync(cwd, { recursive: true });
    const args = [this.runnerScript, ...runnerArgs(launch), '--cwd', cwd];
    // ORRERY_RUN_ID and ORRERY_RUNS_DIR mark every process of the run, so a crashed life's are found and reaped.
    const env = kernelEnvironment(process.env, this.extraEnvironment, {
      ORRERY_RUN_ID: launch.runId,
      ORRERY_RUNS_DIR: this.workDir,
      [RUNNER_URL_VARIABLES.input]: launch.inputUrl,
      [RUNNER_URL_VARIABLES.output]: launch.outputUrl,
      ...runnerCredentialEnvironment(launch.runId, launch.credentials),
    });
    const child = spawn(this.python, args, { cwd, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    this.running.set(launch.runId, child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    // The runner enforces the timeout itself; this is the Job's activeDeadlineSeconds for a runner that hangs.
    let overdue = false;
    const deadline = setTimeout(
      () => {
        overdue = true;
        killGroup(child, 'SIGKILL');
      },
      (launch.timeoutSeconds + RUNNER_DEADLINE_MARGIN_SECONDS) * 1000,
    );
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('close', (c, s) => resolve({ code: c, signal: s })),
    );
    clearTimeout(deadline);
    this.running.delete(launch.runId);
    reapProcessesMarked(`ORRERY_RUN_ID=${launch.runId}`);
    const stopped = this.stopped.delete(launch.runId);
    if (overdue) throw new RunnerFailedError(`the run did not end within its ${launch.timeoutSeconds} s timeout`);
    if (code === 0) return;
    if (stopped || code === 143 || code === 130) throw new RunStoppedError(`run ${launch.runId} was stopped`);
    if (signal) throw new RunnerFailedError(`the runner was killed (${signal}) before the notebook completed`);
    if (code === 3)
      throw new RunnerUnavailableError(`${stderr.trim().split('\n').at(-1) ?? 'no kernel'}; ${INSTALL_HINT}`);
    throw new RunnerFailedError(
      code === 1
        ? 'the notebook did not complete'
        : `the runner exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`,
    );
  }

  /** Stops a run's runner (SIGTERM to its group, SIGKILL after a grace period); remembers it if not launched yet. */
  async stop(runId: string): Promise<void> {
    this.stopped.add(runId);
    await this.kill(runId);
  }

  /** Ends a run's runner if one is still going (the workflow's cleanup); nothing is remembered. */
  async kill(runId: string): Promise<void> {
    const child = this.running.get(runId);
    if (!child?.pid) return;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), GRACE_MS);
    timer.unref();
    child.once('close', () => clearTimeout(timer));
  }

  /** Kills whatever an earlier life of this platform left running (a crash, a SIGKILL). */
  reapLeftovers(): void {
    reapProcessesMarked(`ORRERY_RUNS_DIR=${this.workDir}`);
  }

  /** Stops every runner (platform shutdown) and waits until they are gone. */
  async stopAll(): Promise<void> {
    const children = [...this.running.entries()];
    await Promise.all(children.map(([id]) => this.stop(id)));
    await Promise.all(
      children.map(([, c]) =>
        c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('close', r)) : undefined,
      ),
    );
  }
}
