import { rmSync } from 'node:fs';
import { reapProcessesMarked } from './process-tree.ts';
import { WarmPool } from './warm-pool.ts';
import { WarmRunner, type WarmRunnerStart } from './warm-runner.ts';

/** How the pool is made: how many ready runners per kernelspec, of which kernelspecs, and how each is started. */
export interface WarmRunnerPoolOptions extends Omit<WarmRunnerStart, 'kernel' | 'environment'> {
  /** Ready runners kept per kernelspec; 0 keeps none. */
  size: number;
  kernels: readonly string[];
  /** The environment of a runner started now (read at each start, as a cold runner's is). */
  environment: () => Record<string, string>;
  /** How long an idle runner may take to shut its kernel down politely on close (default 5 s). */
  graceMs?: number;
}

/**
 * Local mode's warm runners: `size` runners per kernelspec started ahead, each with its kernel up. A run takes a
 * ready one and a fresh one starts behind it (once that run ended, or 2 s into it); a runner serves one run and
 * exits, so nothing passes between runs.
 */
export class WarmRunnerPool extends WarmPool<WarmRunner> {
  constructor(private readonly options: WarmRunnerPoolOptions) {
    super({
      what: 'warm runner',
      size: options.size,
      keys: options.kernels,
      graceMs: options.graceMs,
      make: (kernel) => new WarmRunner({ ...options, kernel, environment: options.environment() }),
      released: (runner) => runner.completed,
      // What an idle runner leaves: processes its kernel started, and its folder (no run wrote in it).
      discard: (runner) => {
        reapProcessesMarked(...runner.markers(options.workDir));
        rmSync(runner.cwd, { recursive: true, force: true });
      },
    });
  }

  /** The markers of the runners no run has taken (tests tell them from a run's leftovers). */
  idleMarkers(): string[] {
    return this.idleProcesses().map((r) => r.markers(this.options.workDir)[0]!);
  }
}
