import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ServerObservation } from '../../domain/launch.ts';
import { ConflictError } from '../../domain/errors.ts';
import type { HomeUsage, ServerCompute, ServerLaunchSpec } from '../../ports/server-compute.ts';
import { kernelEnvironment } from './kernel-environment.ts';
import { labServerArgs, labServerEnvironment, serverPythonPath } from './local-lab.ts';
import { killGroup, reapProcessesMarked } from './process-tree.ts';

/** How local servers are started, and who hears when one ends by itself. */
export interface LocalServerOptions {
  /** A Python with jupyter_server (Debian's /usr/bin/python3, or ORRERY_PYTHON). */
  python: string;
  /** Where each server gets its folder: token, Jupyter runtime files, and `work/` (Jupyter's root). */
  serversDir: string;
  reporterScript: string;
  /** Where `orrery_runner` lives (images/notebook-runner): the credentials sidecar runs from there. */
  credentialsSidecarDir: string;
  /** The checkout's lab/ (the orrery_lab extension and the JupyterLab build); without it, a bare Jupyter server. */
  labDir?: string;
  /** The checkout's images/notebook-server, which holds the `orrery` package notebooks import (orrery.spark). */
  notebookPackageDir?: string;
  /** How long the credentials sidecar may take to say it serves (default 15 s). */
  sidecarReadyMs?: number;
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
  sidecar: ChildProcess;
  stderr: string;
  exited?: string;
  removing: boolean;
}

const GRACE_MS = 5000;
const SIDECAR_READY_MS = 15_000;

/** What the credentials sidecar prints on stdout once it serves. */
interface SidecarReady {
  port: number;
  url: string;
  tokenFile: string;
}

/**
 * Waits for the sidecar's ready line (one JSON object on stdout); rejects with its last stderr line when it exits
 * or stays silent too long.
 */
const sidecarReady = (child: ChildProcess, timeoutMs: number, tail: () => string): Promise<SidecarReady> =>
  new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string) => {
      cleanup();
      const last = tail().trim().split('\n').at(-1) ?? '';
      reject(new Error(`the credentials sidecar ${why}${last ? `: ${last.slice(0, 300)}` : ''}`));
    };
    const onLine = (line: string) => {
      try {
        const ready = JSON.parse(line) as Partial<SidecarReady> & { ready?: boolean };
        if (ready.ready && ready.url && ready.tokenFile && ready.port) {
          cleanup();
          resolve(ready as SidecarReady);
        }
      } catch {
        // Not the ready line.
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`exited ${signal ? `on ${signal}` : `with code ${code}`}`);
    const onError = (err: Error) => fail(`could not start: ${err.message}`);
    const timer = setTimeout(() => fail(`did not start serving within ${timeoutMs} ms`), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      lines.off('line', onLine);
      lines.close();
      child.off('exit', onExit);
      child.off('error', onError);
    };
    lines.on('line', onLine);
    child.once('exit', onExit);
    child.once('error', onError);
  });

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

// Files only, links not followed: what the folder itself holds on disk.
const folderBytes = (dir: string): number => {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += lstatSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
};

const ended = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

// Until the child is reaped (it leaves /proc then), or `ms` passed.
const reaped = (child: ChildProcess | undefined, ms: number) =>
  new Promise<void>((resolve) => {
    if (!child || ended(child)) return resolve();
    const timer = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Local mode's stand-in for a server pod: a real `jupyter server` on a free loopback port, in a
 * process group of its own, with its own token and folder under the data folder, and the same
 * activity reporter the pod runs as a sidecar. Removing a server ends exactly its process tree.
 */
export class LocalServerCompute implements ServerCompute {
  private readonly servers = new Map<string, LocalServer>();
  // In memory only: the server's kernels run as this same user and can read its folder; the sidecar that gets it
  // makes itself non-dumpable, so its environment is out of their reach too.
  private readonly credentialsTokens = new Map<string, string>();

  constructor(private readonly o: LocalServerOptions) {}

  private folder(serverId: string) {
    return join(this.o.serversDir, serverId);
  }

  async putToken(serverId: string, token: string, credentialsToken: string): Promise<void> {
    mkdirSync(this.folder(serverId), { recursive: true, mode: 0o700 });
    writeFileSync(join(this.folder(serverId), 'token'), token, { mode: 0o600 });
    chmodSync(join(this.folder(serverId), 'token'), 0o600);
    this.credentialsTokens.set(serverId, credentialsToken);
  }

  /**
   * Starts the credentials sidecar, the local stand-in for the pod's: it fetches keys with the credentials token
   * (an environment variable it removes from itself) and writes the authorization token for Jupyter's kernels into
   * the server's folder, outside `work/`, whose files notebooks list, save and share. Every server gets one, with or
   * without a role: a role set later (PUT /servers/{name}/role) then works without a relaunch.
   */
  private async startSidecar(spec: ServerLaunchSpec, dir: string, env: Record<string, string>) {
    const credentialsToken = this.credentialsTokens.get(spec.serverId);
    if (!credentialsToken) throw new Error(`no credentials token was kept for ${spec.serverId}`);
    const folder = join(dir, 'credentials');
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    let stderr = '';
    const sidecar = spawn(this.o.python, ['-B', '-m', 'orrery_runner.credentials_sidecar'], {
      cwd: this.o.credentialsSidecarDir,
      env: {
        ...env,
        ORRERY_API_URL: spec.apiUrl,
        ORRERY_SERVER_NAME: spec.name,
        ORRERY_SERVER_TOKEN: credentialsToken,
        ORRERY_CREDENTIALS_PORT: '0',
        ORRERY_CREDENTIALS_TOKEN_FILE: join(folder, 'token'),
        ORRERY_PARENT_PID: String(process.pid),
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sidecar.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    try {
      const ready = await sidecarReady(sidecar, this.o.sidecarReadyMs ?? SIDECAR_READY_MS, () => stderr);
      // Keep reading: a full pipe would block the sidecar's next write.
      sidecar.stdout?.resume();
      return { sidecar, url: ready.url, authorization: readFileSync(ready.tokenFile, 'utf8').trim() };
    } catch (err) {
      killGroup(sidecar, 'SIGKILL');
      throw err;
    }
  }

  async create(spec: ServerLaunchSpec): Promise<void> {
    const held = this.servers.get(spec.serverId);
    if (held?.launchId === spec.launchId && !held.exited) return;
    if (held) await this.remove(spec.serverId);
    const dir = this.folder(spec.serverId);
    mkdirSync(join(dir, 'work'), { recursive: true });
    const token = readFileSync(join(dir, 'token'), 'utf8');
    const port = await freePort();
    const marks = { ORRERY_SERVER_ID: spec.serverId, ORRERY_SERVERS_DIR: this.o.serversDir };
    const credentials = await this.startSidecar(spec, dir, kernelEnvironment(process.env, [], marks));
    // Kernels inherit the server's environment: the allowlist and this server's own variables, never the platform's.
    // AWS keys come from the sidecar: Debian 12's botocore (1.29) reads only AWS_CONTAINER_AUTHORIZATION_TOKEN, not
    // the _FILE form a pod uses, so locally the kernels get the token itself (only one of the two is ever set).
    // The notebook helper (`from orrery.spark import create_spark_session`) needs the package on PYTHONPATH and, as
    // Jupyter's own routes do, ORRERY_API_URL, ORRERY_SERVER_NAME and JUPYTER_TOKEN, which kernels inherit from it.
    const pythonPath = serverPythonPath([this.o.labDir, this.o.notebookPackageDir], process.env.PYTHONPATH);
    const env = kernelEnvironment(process.env, this.o.extraEnvironment ?? [], {
      JUPYTER_TOKEN: token,
      JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
      ...marks,
      ...labServerEnvironment(this.o.labDir, spec),
      ...(pythonPath ? { PYTHONPATH: pythonPath } : {}),
      AWS_CONTAINER_CREDENTIALS_FULL_URI: credentials.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: credentials.authorization,
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
      ...(this.o.labDir ? labServerArgs(dir) : []),
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
      sidecar: credentials.sidecar,
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
    killGroup(server.sidecar, 'SIGTERM');
    reapProcessesMarked(`ORRERY_SERVER_ID=${serverId}`, `ORRERY_SERVERS_DIR=${this.o.serversDir}`);
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
    return {
      state: 'waiting',
      stage: 'started',
      message: 'Jupyter process started; waiting for it to answer',
      detail: `pid ${server.jupyter.pid}, port ${server.port}`,
    };
  }

  async remove(serverId: string): Promise<void> {
    const server = this.servers.get(serverId);
    rmSync(join(this.folder(serverId), 'token'), { force: true });
    this.credentialsTokens.delete(serverId);
    if (!server) return;
    server.removing = true;
    if (server.reporter) killGroup(server.reporter, 'SIGTERM');
    // The sidecar removes its token file as it stops; its keys die with it.
    killGroup(server.sidecar, 'SIGTERM');
    if (!ended(server.jupyter)) {
      const closed = new Promise((r) => server.jupyter.once('close', r));
      killGroup(server.jupyter, 'SIGTERM');
      const timer = setTimeout(() => killGroup(server.jupyter, 'SIGKILL'), GRACE_MS);
      await closed;
      clearTimeout(timer);
    }
    reapProcessesMarked(`ORRERY_SERVER_ID=${serverId}`, `ORRERY_SERVERS_DIR=${this.o.serversDir}`);
    // A stop answers once the reporter and the sidecar are gone too, not merely signalled.
    await Promise.all([reaped(server.reporter, GRACE_MS), reaped(server.sidecar, GRACE_MS)]);
    if (this.servers.get(serverId) === server) this.servers.delete(serverId);
  }

  /**
   * Deletes the server's folder, its `work/` (Jupyter's root, the home that outlives stops) included. The delete use
   * case only calls this for a stopped server; a process still running would lose its files under it, so it is
   * refused here as well.
   */
  async deleteHome(serverId: string): Promise<void> {
    const live = this.servers.get(serverId);
    if (live && !live.exited) throw new ConflictError(`server ${serverId} is still running; stop it first`);
    rmSync(this.folder(serverId), { recursive: true, force: true });
  }

  /** Every server folder under the data folder, with the size of the files in its `work/`. */
  async listHomes(): Promise<HomeUsage[]> {
    const ids = existsSync(this.o.serversDir)
      ? readdirSync(this.o.serversDir, { withFileTypes: true }).filter((d) => d.isDirectory())
      : [];
    return ids.map((d) => {
      const work = join(this.o.serversDir, d.name, 'work');
      return { serverId: d.name, size: folderBytes(work), storageClass: 'local-folder', location: work };
    });
  }

  /** The folder a server's Jupyter works in. */
  async describeHome(serverId: string): Promise<string> {
    return `its folder on this machine (${join(this.folder(serverId), 'work')})`;
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
