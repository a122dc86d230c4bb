import { log } from '../../observability/logger.ts';

/** How a pooled process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process started ahead of the work it will be given (a warm runner, a warm Jupyter server). */
export interface WarmProcess {
  /** True once it said it is ready; false when it ended first. */
  readonly ready: Promise<boolean>;
  /** When it has ended, and how. */
  readonly ended: Promise<ProcessExit>;
  /** Ends an idle one: SIGTERM, SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<ProcessExit>;
  /** The last of what it wrote on stderr. */
  stderrTail(): string;
}

/** How a pool is made. */
export interface WarmPoolOptions<T extends WarmProcess> {
  /** What the pool holds, for the log ("warm runner"). */
  what: string;
  /** Ready processes kept per key; 0 keeps none. */
  size: number;
  /** The kinds kept (kernelspecs for runners; one key for servers). */
  keys: readonly string[];
  /** Starts one process of this key. */
  make: (key: string) => T;
  /** Once a taken process gets here, its work no longer needs the machine to itself, so its replacement starts. */
  released: (taken: T) => Promise<unknown>;
  /** Cleans up after an idle process that ended (what it started, its folder). */
  discard: (idle: T) => void;
  /** How long an idle process may take to stop politely on close (default 5 s). */
  graceMs?: number;
}

// A process that dies before it is ready (no such kernel, a broken interpreter) is retried after 1 s, 2 s … 60 s.
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 60_000;
// How long a taken process's replacement waits for it to be released before it starts anyway.
const REFILL_DELAY_MS = 2000;

/**
 * `size` processes per key started ahead. Work takes a ready one and a fresh one starts behind it (once the taken one
 * is released, or 2 s after it was taken: on a small machine a start, about a second of CPU, would slow the work that
 * just began); each serves one piece of work and exits, so nothing passes between users. One that dies while idle is
 * replaced; close() stops the idle ones.
 */
export class WarmPool<T extends WarmProcess> {
  private readonly idle = new Map<string, T[]>();
  private readonly ready = new Set<T>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly o: WarmPoolOptions<T>) {}

  /** Starts the processes of every key; call it after the leftovers of an earlier life were reaped. */
  start(): void {
    for (const key of this.o.keys) this.fill(key);
  }

  /** Whether the pool keeps processes of this key (work of another one starts cold). */
  holds(key: string): boolean {
    return this.o.size > 0 && this.o.keys.includes(key);
  }

  /** A ready process of this key, now the caller's (a fresh one starts behind it); none when none is ready. */
  take(key: string): T | undefined {
    const processes = this.idle.get(key) ?? [];
    const taken = processes.find((p) => this.ready.has(p));
    if (!taken) return undefined;
    processes.splice(processes.indexOf(taken), 1);
    this.ready.delete(taken);
    const refill = this.later(() => this.fill(key), REFILL_DELAY_MS);
    void this.o.released(taken).then(refill, refill);
    return taken;
  }

  /** How many are ready now (the pool is full at `size` per key). */
  readyCount(): number {
    return this.ready.size;
  }

  /** The processes no work has taken. */
  idleProcesses(): T[] {
    return [...this.idle.values()].flat();
  }

  /** Stops starting processes and ends the idle ones, politely when they can. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    const idle = this.idleProcesses();
    this.idle.clear();
    await Promise.all(idle.map((p) => p.stop(this.o.graceMs ?? 5000).then(() => this.o.discard(p))));
  }

  private fill(key: string): void {
    const processes = this.idle.get(key) ?? [];
    this.idle.set(key, processes);
    while (!this.closed && processes.length < this.o.size) processes.push(this.add(key));
  }

  private add(key: string): T {
    const started = this.o.make(key);
    void started.ready.then((ok) => {
      if (ok && this.idle.get(key)?.includes(started)) this.ready.add(started);
      if (ok) this.failures.delete(key);
    });
    void started.ended.then(async (exit) => {
      const processes = this.idle.get(key) ?? [];
      if (!processes.includes(started)) return; // taken, or closed: not the pool's any more
      processes.splice(processes.indexOf(started), 1);
      this.ready.delete(started);
      this.o.discard(started);
      if (this.closed) return;
      if (await started.ready) {
        this.fill(key);
        return;
      }
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      const last = started.stderrTail().trim().split('\n').at(-1) ?? '';
      if (failures === 1) log('warn', `a ${this.o.what} ended before it was ready`, { key, ...exit, last });
      this.later(() => this.fill(key), Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1)));
    });
    return started;
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
}
