import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerFailedError, RunnerUnavailableError, RunStoppedError } from '../../domain/errors.ts';
import { killGroup, reapProcessesMarked } from './process-tree.ts';

/** What the local runner needs from the prepare step. */
export interface LocalLaunch {
  runId: string;
  inputUrl: string;
  outputUrl: string;
  timeoutSeconds: number;
  cellTimeoutSeconds?: number;
}

const INSTALL_HINT =
  "install Debian's Jupyter (apt-get install python3-nbclient python3-ipykernel jupyter-client) or set ORRERY_PYTHON to a Python that has nbclient and ipykernel";

// The runner saves its partial output on SIGTERM; give it that long before the whole group is killed.
const GRACE_MS = 15_000;
// Like the Job's activeDeadlineSeconds: past the run's own timeout by this much, the runner is killed.
const DEADLINE_MARGIN_SECONDS = 120;

/**
 * Local mode's stand-in for the runner Job: `runner.py` (the program the image runs) as a
 * process group of its own per run, so stopping a run ends exactly that runner and its kernel.
 */
export class LocalRunnerCompute {
  private readonly running = new Map<string, ChildProcess>();
  private readonly stopped = new Set<string>();
  private environment: Promise<string | null> | undefined;

  constructor(
    private readonly python: string,
    private readonly runnerScript: string,
    private readonly workDir: string,
  ) {}

  /** Why runs cannot execute here, or null when the interpreter has nbclient and a kernel; asked once. */
  environmentProblem(): Promise<string | null> {
    this.environment ??= new Promise((resolve) => {
      let stderr = '';
      const probe = spawn(this.python, ['-c', 'import nbclient, nbformat, ipykernel'], { stdio: ['ignore', 'ignore', 'pipe'] });
      probe.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const fail = (why: string) => resolve(`cannot run notebooks with ${this.python}: ${why}; ${INSTALL_HINT}`);
      probe.once('error', (err) => fail(err.message));
      probe.once('close', (code) => (code === 0 ? resolve(null) : fail(stderr.trim().split('\n').at(-1) ?? `exit ${code}`)));
    });
    return this.environment;
  }

  /** Runs what the runner Job would run on EKS: the same container arguments, as a local process. */
  async runJob(job: { metadata: { labels: Record<string, string> }; spec: { template: { spec: { containers: Array<{ args: string[] }> } } } }): Promise<void> {
    const runId = job.metadata.labels['orrery.dev/run'];
    const args = job.spec.template.spec.containers[0]?.args ?? [];
    const arg = (name: string) => args[args.indexOf(name) + 1];
    if (!runId || !arg('--input') || !arg('--output')) throw new RunnerFailedError('the runner Job names no run, input or output');
    const cellTimeout = args.includes('--cell-timeout') ? Number(arg('--cell-timeout')) : undefined;
    await this.run({ runId, inputUrl: arg('--input')!, outputUrl: arg('--output')!, timeoutSeconds: Number(arg('--timeout') ?? 3600), cellTimeoutSeconds: cellTimeout });
  }

  /** Runs the notebook to the end; throws the error the workflow's Catch matches when it did not complete. */
  async run(launch: LocalLaunch): Promise<void> {
    const problem = await this.environmentProblem();
    if (problem) throw new RunnerUnavailableError(problem);
    if (this.stopped.has(launch.runId)) throw new RunStoppedError(`run ${launch.runId} was stopped before it launched`);
    const cwd = join(this.workDir, launch.runId);
    mkdirSync(cwd, { recursive: true });
    const args = [this.runnerScript, '--input', launch.inputUrl, '--output', launch.outputUrl, '--timeout', String(launch.timeoutSeconds), '--cwd', cwd];
    if (launch.cellTimeoutSeconds) args.push('--cell-timeout', String(launch.cellTimeoutSeconds));
    const env = { ...process.env, ORRERY_RUN_ID: launch.runId, ORRERY_RUNS_DIR: this.workDir };
    const child = spawn(this.python, args, { cwd, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    this.running.set(launch.runId, child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    // The runner enforces the timeout itself; this is the Job's activeDeadlineSeconds for a runner that hangs.
    let overdue = false;
    const deadline = setTimeout(() => {
      overdue = true;
      killGroup(child, 'SIGKILL');
    }, (launch.timeoutSeconds + DEADLINE_MARGIN_SECONDS) * 1000);
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
    if (code === 3) throw new RunnerUnavailableError(`${stderr.trim().split('\n').at(-1) ?? 'no kernel'}; ${INSTALL_HINT}`);
    throw new RunnerFailedError(code === 1 ? 'the notebook did not complete' : `the runner exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`);
  }

  /** Stops a run's runner (SIGTERM to its group, SIGKILL after a grace period); remembers the stop if it has not launched. */
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
    await Promise.all(children.map(([, c]) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('close', r)) : undefined)));
  }
}
