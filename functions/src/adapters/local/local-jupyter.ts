import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerLaunchSpec } from '../../ports/server-compute.ts';
import { kernelEnvironment } from './kernel-environment.ts';
import { labServerArgs, serverPythonPath } from './local-lab.ts';
import { reapProcessesMarked } from './process-tree.ts';
import { WarmPool } from './warm-pool.ts';
import { WarmServer } from './warm-server.ts';

/** One local server's processes and what is known of them. */
export interface LocalServer {
  launchId: string;
  port: number;
  basePath: string;
  jupyter: ChildProcess;
  reporter?: ChildProcess;
  sidecar?: ChildProcess;
  stderr: string;
  exited?: string;
  removing: boolean;
  /** Jupyter's /api answered once. */
  answering: boolean;
  /** Resolves when Jupyter first answers or the server ends; `settle` resolves it. */
  settled: Promise<void>;
  settle: () => void;
  /** Jupyter logged that it is running: probe again at once. */
  saidRunning: boolean;
  /** Ends the wait between two probes of a starting Jupyter early. */
  probeNow?: () => void;
}

/** What starting a local Jupyter needs to know. */
export interface LocalJupyterOptions {
  /** A Python with jupyter_server. */
  python: string;
  serversDir: string;
  /** The checkout's lab/ (the orrery_lab extension); without it, a bare Jupyter server. */
  labDir?: string;
  /** The checkout's images/notebook-server (the `orrery` package notebooks import). */
  notebookPackageDir?: string;
  /** Variable names passed on top of the allowlist (ORRERY_KERNEL_ENV). */
  extraEnvironment?: readonly string[];
  /** Jupyter servers kept started ahead (images/notebook-server/warm_server.py); 0 or unset: none. */
  warmServers?: { size: number; script: string };
}

// Between a launch's probes of Jupyter's /api while it starts. A probe also goes as soon as Jupyter logs that it is
// running: polling often costs the platform a fetch each time (about a millisecond of CPU), shared with the start.
const ANSWER_POLL_MS = 100;
const RUNNING_LINE = 'is running at';
// The pool's one kind: every local server runs the same `jupyter server` with the same extensions.
const WARM_KEY = 'jupyter';

/**
 * How local servers' Jupyter processes start and are seen answering: a warm one given the launch when one is ready,
 * else `python3 -m jupyter_server` with the same arguments, environment and folder; a prober that notices the
 * moment it answers. The warm pool refills once no launch is under way.
 */
export class LocalJupyters {
  private readonly pool: WarmPool<WarmServer> | undefined;
  // Launches whose Jupyter has not answered yet, and who waits for there to be none (a warm server's refill).
  private starting = 0;
  private quiet: Array<() => void> = [];

  constructor(private readonly o: LocalJupyterOptions) {
    const warm = o.warmServers;
    if (warm && warm.size > 0)
      this.pool = new WarmPool<WarmServer>({
        what: 'warm Jupyter server',
        size: warm.size,
        keys: [WARM_KEY],
        make: () =>
          new WarmServer({
            python: o.python,
            script: warm.script,
            cwd: o.serversDir,
            environment: this.waitingEnvironment(),
          }),
        // A refill (about 0.4 s of CPU each) waits for the launches under way, which it would slow down.
        released: () => this.noneStarting(),
        discard: (idle) => reapProcessesMarked(idle.marker()),
      });
  }

  /** Starts the warm servers; after the leftovers of an earlier life were reaped. */
  startWarm(): void {
    mkdirSync(this.o.serversDir, { recursive: true });
    this.pool?.start();
  }

  /** How many warm servers are ready for a launch now. */
  readyWarm(): number {
    return this.pool?.readyCount() ?? 0;
  }

  /** Ends the warm servers no launch took. */
  async closeWarm(): Promise<void> {
    await this.pool?.close();
  }

  /**
   * Jupyter for this launch, on `port`, in `dir`/work, with `env`: a warm server given the launch, else (none ready,
   * or it ended as it was taken) a cold `python3 -m jupyter_server`. The prober starts with it.
   */
  async start(spec: ServerLaunchSpec, dir: string, port: number, env: Record<string, string>): Promise<LocalServer> {
    const args = [
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--ServerApp.base_url=${spec.basePath}`,
      '--ServerApp.open_browser=False',
      `--ServerApp.root_dir=${join(dir, 'work')}`,
      ...(this.o.labDir ? labServerArgs(dir) : []),
    ];
    // Local mode may run as root (CI, containers); in a pod Jupyter runs as uid 1000.
    if (process.getuid?.() === 0) args.push('--ServerApp.allow_root=True');
    const cwd = join(dir, 'work');
    let settle = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.starting += 1;
    void settled.then(() => this.startedOne());
    const warm = this.pool?.take(WARM_KEY);
    const jupyter =
      warm && (await warm.claim({ args, environment: env, cwd }))
        ? warm.child
        : spawn(this.o.python, ['-m', 'jupyter_server', ...args], {
            cwd,
            env,
            detached: true,
            stdio: ['ignore', 'ignore', 'pipe'],
          });
    const server: LocalServer = {
      launchId: spec.launchId,
      port,
      basePath: spec.basePath,
      jupyter,
      stderr: '',
      removing: false,
      answering: false,
      saidRunning: false,
      settled,
      settle,
    };
    jupyter.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      server.stderr = (server.stderr + text).slice(-4000);
      if (server.answering || !text.includes(RUNNING_LINE)) return;
      server.saidRunning = true;
      server.probeNow?.();
    });
    jupyter.once('error', (err) => (server.exited = `could not start ${this.o.python}: ${err.message}`));
    void this.watchUntilAnswering(server);
    return server;
  }

  // A warm server's environment while it waits: what every server gets, before any one server's variables.
  private waitingEnvironment(): Record<string, string> {
    const pythonPath = serverPythonPath([this.o.labDir, this.o.notebookPackageDir], process.env.PYTHONPATH);
    return kernelEnvironment(process.env, this.o.extraEnvironment ?? [], {
      ORRERY_SERVERS_DIR: this.o.serversDir,
      ...(pythonPath ? { PYTHONPATH: pythonPath } : {}),
    });
  }

  private noneStarting(): Promise<void> {
    return this.starting === 0 ? Promise.resolve() : new Promise((resolve) => this.quiet.push(resolve));
  }

  private startedOne() {
    this.starting -= 1;
    if (this.starting > 0) return;
    for (const resolve of this.quiet.splice(0)) resolve();
  }

  /** Probes /api until Jupyter answers or the server ends, so a launch's look sees it the moment it serves. */
  private async watchUntilAnswering(server: LocalServer) {
    const url = `http://127.0.0.1:${server.port}${server.basePath}api`;
    while (!server.exited && !server.removing) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          server.answering = true;
          break;
        }
      } catch {
        // Not listening yet.
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, server.saidRunning ? 10 : ANSWER_POLL_MS);
        server.probeNow = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    server.settle();
  }
}
