import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WarmChild } from './warm-child.ts';

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
export class WarmRunner extends WarmChild {
  /** The runner's marker value, also the name of its folder until a run takes it. */
  readonly id: string;
  readonly cwd: string;
  /** True once its kernel answered a client; false when the process ended first. */
  readonly ready: Promise<boolean>;
  /** True once the result line said COMPLETED with the output written (the exit comes a little later). */
  readonly completed: Promise<boolean>;
  private readonly accepted: Promise<boolean>;

  constructor(s: WarmRunnerStart) {
    const id = `warm-${randomBytes(6).toString('hex')}`;
    const cwd = join(s.workDir, id);
    mkdirSync(cwd, { recursive: true });
    const args = [s.runnerScript, '--warm', '--kernel', s.kernel, '--cwd', cwd];
    super({ python: s.python, args, cwd, env: { ...s.environment, [WARM_RUNNER_VARIABLE]: id } });
    [this.id, this.cwd] = [id, cwd];
    const said = this.linesSaid<keyof typeof SAID, WarmLine>(SAID);
    [this.ready, this.accepted, this.completed] = [said('ready'), said('accepted'), said('completed')];
  }

  /** The markers every process of this runner carries (reapProcessesMarked), with its runs folder's. */
  markers(workDir: string): string[] {
    return [`${WARM_RUNNER_VARIABLE}=${this.id}`, `ORRERY_RUNS_DIR=${workDir}`];
  }

  /** Hands the runner its one job; true once it accepted it, false when it ended first (the run goes cold). */
  claim(job: WarmJob): Promise<boolean> {
    this.hand(job);
    return this.accepted;
  }
}
