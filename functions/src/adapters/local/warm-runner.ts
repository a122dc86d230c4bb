import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { killGroup } from './process-tree.ts';

/** How a warm runner is started. */
export interface WarmRunnerStart {
  python: string;
  runnerScript: string;
  /** The runs folder: the runner and its kernel work in a fresh folder of it. */
  workDir: string;
  /** The kernelspec whose kernel the runner starts ahead. */
  kernel: string;
  /** The runner's (and so its kernel's) environment, allowlisted (kernel-environment.ts), without the marker. */
  environment: Record<string, string>;
}

/** What a warm runner is given once a run takes it: the cold runner's arguments and URL variables, over stdin. */
export interface WarmJob {
  args: string[];
  environment: Record<string, string>;
}

/** How a runner's process ended. */
export interface RunnerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The variable that marks a warm runner's processes (its kernel's too): a kernel started ahead has no run id. */
export const WARM_RUNNER_VARIABLE = 'ORRERY_WARM_RUNNER';

/** The warm runner's exit when it ran no job (its pipe closed, its kernel died, another kernel's notebook). */
export const EXIT_NO_RUN = 4;

/** What runner.py --warm prints on stdout: ready, accepted, then the result line. */
interface WarmLine {
  ready?: boolean;
  accepted?: boolean;
  status?: string;
  outputWritten?: boolean;
}

// The lines a caller waits for, each true once the runner printed it.
const SAID = {
  ready: (l: WarmLine) => l.ready === true,
  accepted: (l: WarmLine) => l.accepted === true,
  // The run completed and its output is saved; the runner is still shutting its kernel down.
  completed: (l: WarmLine) => l.status === 'COMPLETED' && l.outputWritten === true,
} as const;

/**
 * One `runner.py --warm` process (images/notebook-runner/README.md, "Warm mode"): Jupyter imported, its kernel
 * started and answering, waiting for exactly one job on stdin. The job (presigned URLs included) never goes
 * through the environment, which the kernel inherited before the run existed. A process group of its own, as a
 * cold runner's, so stopping its run ends exactly it.
 */
export class WarmRunner {
  /** The runner's marker value, also the name of its folder until a run takes it. */
  readonly id = `warm-${randomBytes(6).toString('hex')}`;
  readonly cwd: string;
  readonly child: ChildProcess;
  /** True once its kernel answered a client; false when the process ended first. */
  readonly ready: Promise<boolean>;
  /** When the process has ended, and how. */
  readonly ended: Promise<RunnerExit>;
  /** True once the result line said COMPLETED with the output written (the exit comes a little later). */
  readonly completed: Promise<boolean>;
  private readonly accepted: Promise<boolean>;
  private tail = '';

  constructor(s: WarmRunnerStart) {
    this.cwd = join(s.workDir, this.id);
    mkdirSync(this.cwd, { recursive: true });
    const args = [s.runnerScript, '--warm', '--kernel', s.kernel, '--cwd', this.cwd];
    const env = { ...s.environment, [WARM_RUNNER_VARIABLE]: this.id };
    this.child = spawn(s.python, args, { cwd: this.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    // A runner that died before its job was written makes the write fail; its exit says the rest.
    this.child.stdin?.on('error', () => undefined);
    this.child.stderr?.on('data', (chunk: Buffer) => (this.tail = (this.tail + chunk.toString()).slice(-4000)));
    this.ended = new Promise((resolve) => {
      this.child.once('error', () => resolve({ code: null, signal: null }));
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    });
    const said = this.linesSaid();
    [this.ready, this.accepted, this.completed] = [said('ready'), said('accepted'), said('completed')];
  }

  /** The last 4000 characters the runner (and its kernel) wrote on stderr. */
  stderrTail(): string {
    return this.tail;
  }

  /** The markers every process of this runner carries (reapProcessesMarked), with its runs folder's. */
  markers(workDir: string): string[] {
    return [`${WARM_RUNNER_VARIABLE}=${this.id}`, `ORRERY_RUNS_DIR=${workDir}`];
  }

  /** Hands the runner its one job; true once it accepted it, false when it ended first (the run goes cold). */
  claim(job: WarmJob): Promise<boolean> {
    this.child.stdin?.end(`${JSON.stringify(job)}\n`);
    return this.accepted;
  }

  /** Ends an idle runner: SIGTERM (its kernel shuts down politely), SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<RunnerExit> {
    killGroup(this.child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(this.child, 'SIGKILL'), graceMs);
    const exit = await this.ended;
    clearTimeout(timer);
    return exit;
  }

  // One reader of stdout; each `said(what)` is true once the runner printed that line, false if it ended first.
  private linesSaid(): (what: keyof typeof SAID) => Promise<boolean> {
    const waiting = new Map<keyof typeof SAID, (said: boolean) => void>();
    const promises = new Map<keyof typeof SAID, Promise<boolean>>();
    for (const what of Object.keys(SAID) as Array<keyof typeof SAID>)
      promises.set(what, new Promise((resolve) => waiting.set(what, resolve)));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        const said = JSON.parse(line) as WarmLine;
        for (const [what, resolve] of waiting) if (SAID[what](said)) resolve(true);
      } catch {
        // Not one of the runner's lines.
      }
    });
    void this.ended.then(() => {
      for (const resolve of waiting.values()) resolve(false);
    });
    return (what) => promises.get(what)!;
  }
}
