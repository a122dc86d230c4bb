import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ServerObservation } from '../../domain/launch.ts';
import type { ServerCompute, ServerLaunchSpec } from '../../ports/server-compute.ts';
import { kernelEnvironment } from './kernel-environment.ts';
import { killGroup, reapProcessesMarked } from './process-tree.ts';

/** How local servers are started, and who hears when one ends by itself. */
export interface LocalServerOptions {
  /** A Python with jupyter_server (Debian's /usr/bin/python3, or ORRERY_PYTHON). */
  python: string;
  /** Where each server gets its folder: token, Jupyter runtime files, and `work/` (Jupyter's root). */
  serversDir: string;
  reporterScript: string;
  /** Seconds between activity reports (the pod sidecar's default is 300). */
  activityIntervalSeconds: number;
  /** A server's process ended without being asked to. */
  onExit: (serverId: string, launchId: string, reason: string) => void;
  /** Variable names passed to servers and their kernels on top of the allowlist (ORRERY_KERNEL_ENV). */
  extraEnvironment?: readonly string[];
}

interface LocalServer {
  launchId: string;
  port: number;
  basePath: string;
  jupyter: ChildProcess;
  reporter?: ChildProcess;
  stderr: string;
  exited?: string;
  removing: boolean;
}

const GRACE_MS = 5000;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const ended = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/**
 * Local mode's stand-in for a server pod: a real `jupyter server` on a free loopback port, in a
 * process group of its own, with its own token and folder under the data folder, and the same
 * activity reporter the pod runs as a sidecar. Removing a server ends exactly its process tree.
 */
export class LocalServerCompute implements ServerCompute {
  private readonly servers = new Map<string, LocalServer>();

  constructor(private readonly o: LocalServerOptions) {}

  private folder(serverId: string) {
    return join(this.o.serversDir, serverId);
  }

  async putToken(serverId: string, token: string): Promise<void> {
    mkdirSync(this.folder(serverId), { recursive: true, mode: 0o700 });
    writeFileSync(join(this.folder(serverId), 'token'), token, { mode: 0o600 });
    chmodSync(join(this.folder(serverId), 'token'), 0o600);
  }

  async create(spec: ServerLaunchSpec): Promise<void> {
    const held = this.servers.get(spec.serverId);
    if (held?.launchId === spec.launchId && !held.exited) return;
    if (held) await this.remove(spec.serverId);
    const dir = this.folder(spec.serverId);
    mkdirSync(join(dir, 'work'), { recursive: true });
    const token = readFileSync(join(dir, 'token'), 'utf8');
    const port = await freePort();
    // Kernels inherit the server's environment: the allowlist and this server's own variables, never the platform's.
    const env = kernelEnvironment(process.env, this.o.extraEnvironment ?? [], {
      JUPYTER_TOKEN: token,
      JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
      ORRERY_SERVER_ID: spec.serverId,
      ORRERY_SERVERS_DIR: this.o.serversDir,
    });
    const args = [
      '-m',
      'jupyter_server',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--ServerApp.base_url=${spec.basePath}`,
      '--ServerApp.open_browser=False',
      `--ServerApp.root_dir=${join(dir, 'work')}`,
    ];
    // Local mode may run as root (CI, containers); in a pod Jupyter runs as uid 1000.
    if (process.getuid?.() === 0) args.push('--ServerApp.allow_root=True');
    const jupyter = spawn(this.o.python, args, {
      cwd: join(dir, 'work'),
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
    };
    this.servers.set(spec.serverId, server);
    jupyter.stderr?.on('data', (chunk: Buffer) => (server.stderr = (server.stderr + chunk.toString()).slice(-4000)));
    jupyter.once('error', (err) => (server.exited = `could not start ${this.o.python}: ${err.message}`));
    jupyter.once('close', (code, signal) => this.onJupyterExit(spec.serverId, server, code, signal));
    server.reporter = spawn(this.o.python, [this.o.reporterScript], {
      env: {
        ...env,
        JUPYTER_URL: `http://127.0.0.1:${port}${spec.basePath}`,
        ORRERY_ACTIVITY_URL: spec.activityUrl,
        ORRERY_SERVER_TOKEN: token,
        ORRERY_ACTIVITY_INTERVAL: String(this.o.activityIntervalSeconds),
      },
      detached: true,
      stdio: 'ignore',
    });
  }

  private onJupyterExit(serverId: string, server: LocalServer, code: number | null, signal: NodeJS.Signals | null) {
    const last =
      server.stderr
        .trim()
        .split('\n')
        .filter((l) => !/^\s*$/.test(l))
        .at(-1) ?? '';
    server.exited ??=
      `jupyter server exited ${signal ? `on ${signal}` : `with code ${code}`}` +
      (last ? `: ${last.slice(0, 300)}` : '');
    if (server.reporter) killGroup(server.reporter, 'SIGTERM');
    reapProcessesMarked(`ORRERY_SERVER_ID=${serverId}`);
    if (!server.removing) this.o.onExit(serverId, server.launchId, server.exited);
  }

  async observe(serverId: string): Promise<ServerObservation> {
    const server = this.servers.get(serverId);
    if (!server) return { state: 'absent' };
    if (server.exited) return { state: 'failed', reason: server.exited };
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}${server.basePath}api`, {
        signal: AbortSignal.timeout(2000),
      });
      if (res.ok) return { state: 'ready', url: `http://127.0.0.1:${server.port}${server.basePath}` };
    } catch {
      // Not listening yet.
    }
    return { state: 'waiting', stage: 'started', detail: `pid ${server.jupyter.pid}, port ${server.port}` };
  }

  async remove(serverId: string): Promise<void> {
    const server = this.servers.get(serverId);
    rmSync(join(this.folder(serverId), 'token'), { force: true });
    if (!server) return;
    server.removing = true;
    if (server.reporter) killGroup(server.reporter, 'SIGTERM');
    if (!ended(server.jupyter)) {
      const closed = new Promise((r) => server.jupyter.once('close', r));
      killGroup(server.jupyter, 'SIGTERM');
      const timer = setTimeout(() => killGroup(server.jupyter, 'SIGKILL'), GRACE_MS);
      await closed;
      clearTimeout(timer);
    }
    reapProcessesMarked(`ORRERY_SERVER_ID=${serverId}`);
    if (this.servers.get(serverId) === server) this.servers.delete(serverId);
  }

  async stopSparkApplications(): Promise<string[]> {
    // A local Spark driver runs inside the kernel, in the server's process tree: removing the server ends it.
    return [];
  }

  /** The servers with a live process, for shutdown. */
  running(): string[] {
    return [...this.servers.entries()].filter(([, s]) => !s.exited).map(([id]) => id);
  }

  /** Kills whatever an earlier life of this platform left running (a crash, a SIGKILL). */
  reapLeftovers(): void {
    reapProcessesMarked(`ORRERY_SERVERS_DIR=${this.o.serversDir}`);
  }
}
