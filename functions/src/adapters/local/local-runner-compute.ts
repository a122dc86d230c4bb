import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerFailedError, RunnerUnavailableError, RunStoppedError } from '../../domain/errors.ts';
import { kernelOf } from '../../domain/nbformat.ts';
import { log } from '../../observability/logger.ts';
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
import { WarmRunnerPool } from './warm-runner-pool.ts';
import type { ProcessExit } from './warm-pool.ts';
import { EXIT_NO_RUN, type WarmRunner } from './warm-runner.ts';

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
// A notebook larger than this is not read here to learn its kernel: its run starts cold.
const KERNEL_PEEK_MAX_BYTES = 16 * 1024 * 1024;
const KERNEL_PEEK_TIMEOUT_MS = 10_000;

/** Local mode's warm runners: how many per kernelspec (0: none), of which kernelspecs. */
export interface WarmRunnerSettings {
  size: number;
  kernels: readonly string[];
}

/** How a runner's process ended, as run() judges it. */
interface RunnerEnd extends ProcessExit {
  /** Killed by the deadline past the run's timeout. */
  overdue: boolean;
  stderr: string;
}

/** The kernelspec a runner starts for this notebook (its metadata.kernelspec.name, else python3), lowercased. */
const kernelOfNotebook = async (location: string): Promise<string> => {
  let text: string;
  if (/^https?:/i.test(location)) {
    const res = await fetch(location, { signal: AbortSignal.timeout(KERNEL_PEEK_TIMEOUT_MS) });
    if (!res.ok || Number(res.headers.get('content-length') ?? 0) > KERNEL_PEEK_MAX_BYTES)
      throw new Error(`not read: ${res.status}`);
    text = await res.text();
  } else text = readFileSync(location, 'utf8');
  const parsed = JSON.parse(text) as { metadata?: Record<string, unknown> };
  return (kernelOf(parsed.metadata ?? {}).name ?? 'python3').toLowerCase();
};

/**
 * Local mode's stand-in for the runner Job: `runner.py` (the program the image runs) as a
 * process group of its own per run, so stopping a run ends exactly that runner and its kernel.
 * The runner gets the presigned URLs (and, for a run with a role, the run token) in its environment, as the Job's
 * container does, and otherwise only an allowlisted environment (kernel-environment.ts): never the platform's own
 * (keys, settings).
 * It is not made non-dumpable here: the platform finds a crashed life's runners by their environment,
 * and a kernel running as the developer can read their files and processes anyway.
 * With warm runners (startWarmRunners), a run without a role whose kernelspec the pool holds takes a ready runner
 * instead (warm-runner.ts): the same program, arguments and URLs, the job over stdin; any other run starts cold.
 */
export class LocalRunnerCompute {
  private readonly running = new Map<string, ChildProcess>();
  private readonly stopped = new Set<string>();
  private environment: Promise<string | null> | undefined;
  private readonly pool: WarmRunnerPool | undefined;

  constructor(
    private readonly python: string,
    private readonly runnerScript: string,
    private readonly workDir: string,
    /** Variable names passed to kernels on top of the allowlist (ORRERY_KERNEL_ENV). */
    private readonly extraEnvironment: readonly string[] = [],
    warm: WarmRunnerSettings = { size: 0, kernels: [] },
  ) {
    if (warm.size > 0 && warm.kernels.length > 0)
      this.pool = new WarmRunnerPool({
        python,
        runnerScript,
        workDir,
        size: warm.size,
        kernels: warm.kernels.map((k) => k.toLowerCase()),
        environment: () => kernelEnvironment(process.env, this.extraEnvironment, { ORRERY_RUNS_DIR: this.workDir }),
      });
  }

  /** Starts the warm runners, once the interpreter can run notebooks; after reapLeftovers(), which would kill them. */
  async startWarmRunners(): Promise<void> {
    if (this.pool && !(await this.environmentProblem())) this.pool.start();
  }

  /** How many warm runners are ready for a run now. */
  readyWarmRunners(): number {
    return this.pool?.readyCount() ?? 0;
  }

  /** The markers of warm runners no run has taken yet (their processes are not a run's). */
  idleWarmMarkers(): string[] {
    return this.pool?.idleMarkers() ?? [];
  }

  /** The pid of a run's runner while it runs. */
  runnerPid(runId: string): number | undefined {
    return this.running.get(runId)?.pid;
  }

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
    const kernel = await this.warmKernelFor(launch);
    if (this.stopped.has(launch.runId)) throw new RunStoppedError(`run ${launch.runId} was stopped before it launched`);
    const runner = kernel ? this.pool?.take(kernel) : undefined;
    const warm = runner ? await this.runWarm(runner, launch) : undefined;
    this.settle(launch, warm ?? (await this.runCold(launch)));
  }

  // The kernelspec of a run a warm runner may take: none for a run with a role (a kernel started ahead cannot get
  // its credentials variables), a kernelspec the pool does not hold, or a launch retried (its folder exists).
  private async warmKernelFor(launch: LocalLaunch): Promise<string | undefined> {
    if (!this.pool || launch.credentials || existsSync(join(this.workDir, launch.runId))) return undefined;
    const kernel = await kernelOfNotebook(launch.inputUrl).catch(() => undefined);
    return kernel && this.pool.holds(kernel) ? kernel : undefined;
  }

  // The runner's folder becomes the run's (its kernel's working directory moves with it); the job goes over stdin.
  // undefined when it ran nothing (it ended before accepting, or declined): then the run starts cold.
  private async runWarm(runner: WarmRunner, launch: LocalLaunch): Promise<RunnerEnd | undefined> {
    try {
      renameSync(runner.cwd, join(this.workDir, launch.runId));
    } catch {
      await runner.stop(0);
      reapProcessesMarked(...runner.markers(this.workDir));
      return undefined;
    }
    const ending = this.watch(runner.child, launch, runner.markers(this.workDir), () => runner.stderrTail());
    const accepted = await runner.claim({
      args: runnerArgs(launch),
      environment: { [RUNNER_URL_VARIABLES.input]: launch.inputUrl, [RUNNER_URL_VARIABLES.output]: launch.outputUrl },
    });
    // A completed run is over once its output is saved: the kernel's polite shutdown (0.1-0.4 s) goes on behind it,
    // and its processes are reaped when the runner exits.
    if (accepted && (await Promise.race([runner.completed, ending.then(() => false)])))
      return { code: 0, signal: null, overdue: false, stderr: '' };
    const end = await ending;
    if ((accepted && end.code !== EXIT_NO_RUN) || this.stopped.has(launch.runId)) return end;
    const last = end.stderr.trim().split('\n').at(-1) ?? '';
    log('warn', 'a warm runner ran nothing: the run starts cold', { runId: launch.runId, ...end, stderr: last });
    return undefined;
  }

  private async runCold(launch: LocalLaunch): Promise<RunnerEnd> {
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
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    return this.watch(child, launch, [`ORRERY_RUN_ID=${launch.runId}`], () => stderr);
  }

  // Until the runner ends: stop() and kill() reach it, and a deadline past the run's timeout kills a runner that
  // hangs (the Job's activeDeadlineSeconds; the runner enforces the timeout itself). Then what it left is reaped.
  private async watch(child: ChildProcess, launch: LocalLaunch, markers: string[], stderr: () => string) {
    this.running.set(launch.runId, child);
    let overdue = false;
    const deadline = setTimeout(
      () => {
        overdue = true;
        killGroup(child, 'SIGKILL');
      },
      (launch.timeoutSeconds + RUNNER_DEADLINE_MARGIN_SECONDS) * 1000,
    );
    const { code, signal } = await new Promise<ProcessExit>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null)
        resolve({ code: child.exitCode, signal: child.signalCode });
      else child.once('close', (c, s) => resolve({ code: c, signal: s }));
    });
    clearTimeout(deadline);
    this.running.delete(launch.runId);
    reapProcessesMarked(...markers);
    return { code, signal, overdue, stderr: stderr() };
  }

  // Returns for a completed run; otherwise throws the error the workflow's Catch matches.
  private settle(launch: LocalLaunch, { code, signal, overdue, stderr }: RunnerEnd): void {
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

  /** Kills whatever an earlier life of this platform left running (a crash, a SIGKILL), warm runners' folders too. */
  reapLeftovers(): void {
    reapProcessesMarked(`ORRERY_RUNS_DIR=${this.workDir}`);
    const folders = existsSync(this.workDir) ? readdirSync(this.workDir) : [];
    for (const name of folders.filter((n) => n.startsWith('warm-')))
      rmSync(join(this.workDir, name), { recursive: true, force: true });
  }

  /** Stops every runner (platform shutdown), warm ones included, and waits until they are gone. */
  async stopAll(): Promise<void> {
    const children = [...this.running.entries()];
    await Promise.all([...children.map(([id]) => this.stop(id)), this.pool?.close()]);
    await Promise.all(
      children.map(([, c]) =>
        c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('close', r)) : undefined,
      ),
    );
  }
}
