import { rmSync } from 'node:fs';
import { log } from '../../observability/logger.ts';
import { reapProcessesMarked } from './process-tree.ts';
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

// A runner that dies before it is ready (no such kernel, a broken interpreter) is retried after 1 s, 2 s, 4 s … 60 s.
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 60_000;
// How long a taken runner's replacement waits for the run to end before it starts anyway.
const REFILL_DELAY_MS = 2000;

/**
 * Local mode's warm runners: `size` runners per kernelspec started ahead, each with its kernel up. A run takes a
 * ready one and a fresh one starts behind it (once that run ended, or 2 s into it); a runner serves one run and
 * exits, so nothing passes between runs.
 * One that dies while idle is replaced; close() stops the idle ones.
 */
export class WarmRunnerPool {
  private readonly idle = new Map<string, WarmRunner[]>();
  private readonly ready = new Set<WarmRunner>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly o: WarmRunnerPoolOptions) {}

  /** Starts the runners of every kernelspec; call it after the leftovers of an earlier life were reaped. */
  start(): void {
    for (const kernel of this.o.kernels) this.fill(kernel);
  }

  /** Whether the pool keeps runners of this kernelspec (a run of another one is started cold). */
  holds(kernel: string): boolean {
    return this.o.size > 0 && this.o.kernels.includes(kernel);
  }

  /** A ready runner of this kernelspec, now the caller's (a fresh one starts behind it); none when none is ready. */
  take(kernel: string): WarmRunner | undefined {
    const runners = this.idle.get(kernel) ?? [];
    const runner = runners.find((r) => this.ready.has(r));
    if (!runner) return undefined;
    runners.splice(runners.indexOf(runner), 1);
    this.ready.delete(runner);
    // The replacement starts once this run has ended, or REFILL_DELAY_MS after it began: on a small machine a
    // runner's start (Python, nbclient, a kernel: about a second of CPU) would slow the run that just began.
    const refill = this.later(() => this.fill(kernel), REFILL_DELAY_MS);
    void runner.completed.then(refill);
    return runner;
  }

  /** How many runners are ready now (the pool is full when it is `size` per kernelspec). */
  readyCount(): number {
    return this.ready.size;
  }

  /** The markers of the runners no run has taken (tests tell them from a run's leftovers). */
  idleMarkers(): string[] {
    return [...this.idle.values()].flat().map((r) => r.markers(this.o.workDir)[0]!);
  }

  /** Stops starting runners and ends the idle ones, their kernels shut down politely when they can. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    const runners = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(runners.map((r) => r.stop(this.o.graceMs ?? 5000).then(() => this.discard(r))));
  }

  private fill(kernel: string): void {
    const runners = this.idle.get(kernel) ?? [];
    this.idle.set(kernel, runners);
    while (!this.closed && runners.length < this.o.size) runners.push(this.add(kernel));
  }

  private add(kernel: string): WarmRunner {
    const runner = new WarmRunner({ ...this.o, kernel, environment: this.o.environment() });
    void runner.ready.then((ok) => {
      if (ok && this.idle.get(kernel)?.includes(runner)) this.ready.add(runner);
      if (ok) this.failures.delete(kernel);
    });
    void runner.ended.then(async (exit) => {
      const runners = this.idle.get(kernel) ?? [];
      if (!runners.includes(runner)) return; // taken by a run, or closed: not the pool's any more
      runners.splice(runners.indexOf(runner), 1);
      this.ready.delete(runner);
      this.discard(runner);
      if (this.closed) return;
      if (await runner.ready) {
        this.fill(kernel);
        return;
      }
      const failures = (this.failures.get(kernel) ?? 0) + 1;
      this.failures.set(kernel, failures);
      const last = runner.stderrTail().trim().split('\n').at(-1) ?? '';
      if (failures === 1) log('warn', 'a warm runner ended before its kernel was ready', { kernel, ...exit, last });
      this.later(() => this.fill(kernel), Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1)));
    });
    return runner;
  }

  // Runs `work` once, after `ms` or when the returned function is called, whichever is first; close() cancels it.
  private later(work: () => void, ms: number): () => void {
    let done = false;
    const once = () => {
      clearTimeout(timer);
      this.timers.delete(timer);
      if (!done && !this.closed) work();
      done = true;
    };
    const timer = setTimeout(once, ms);
    timer.unref();
    this.timers.add(timer);
    return once;
  }

  // What an idle runner leaves: processes its kernel started, and its folder (no run wrote in it).
  private discard(runner: WarmRunner): void {
    reapProcessesMarked(...runner.markers(this.o.workDir));
    rmSync(runner.cwd, { recursive: true, force: true });
  }
}
