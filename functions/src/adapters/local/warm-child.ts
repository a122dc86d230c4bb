import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { killGroup } from './process-tree.ts';
import type { ProcessExit, WarmProcess } from './warm-pool.ts';

/** How a warm process is spawned. */
export interface WarmSpawn {
  python: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/**
 * A Python process started ahead, in a process group of its own, that says what it is ready for in JSON lines on
 * stdout and takes its one job as a JSON line on stdin (so nothing of the job goes through its environment).
 */
export abstract class WarmChild implements WarmProcess {
  readonly child: ChildProcess;
  readonly ended: Promise<ProcessExit>;
  abstract readonly ready: Promise<boolean>;
  private tail = '';

  protected constructor(s: WarmSpawn) {
    this.child = spawn(s.python, s.args, { cwd: s.cwd, env: s.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    // One that died before its job was written makes the write fail; its exit says the rest.
    this.child.stdin?.on('error', () => undefined);
    this.child.stderr?.on('data', (chunk: Buffer) => (this.tail = (this.tail + chunk.toString()).slice(-4000)));
    this.ended = new Promise((resolve) => {
      this.child.once('error', () => resolve({ code: null, signal: null }));
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    });
  }

  /** The last 4000 characters it (and what it started) wrote on stderr. */
  stderrTail(): string {
    return this.tail;
  }

  /** Ends an idle one: SIGTERM (a kernel it started shuts down politely), SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<ProcessExit> {
    killGroup(this.child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(this.child, 'SIGKILL'), graceMs);
    const exit = await this.ended;
    clearTimeout(timer);
    return exit;
  }

  /** Writes its one job and closes stdin. */
  protected hand(job: unknown): void {
    this.child.stdin?.end(`${JSON.stringify(job)}\n`);
  }

  // One reader of stdout; each `said(what)` is true once a line passed that test, false if the process ended first.
  protected linesSaid<K extends string, L>(tests: Record<K, (line: L) => boolean>): (what: K) => Promise<boolean> {
    const waiting = new Map<K, (said: boolean) => void>();
    const promises = new Map<K, Promise<boolean>>();
    for (const what of Object.keys(tests) as K[])
      promises.set(what, new Promise((resolve) => waiting.set(what, resolve)));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        const said = JSON.parse(line) as L;
        for (const [what, resolve] of waiting) if (tests[what](said)) resolve(true);
      } catch {
        // Not one of its lines.
      }
    });
    void this.ended.then(() => {
      for (const resolve of waiting.values()) resolve(false);
    });
    return (what) => promises.get(what)!;
  }
}
