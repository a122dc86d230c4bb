import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerObservation } from '../../domain/launch.ts';
import { ConflictError } from '../../domain/errors.ts';
import type { HomeUsage, ServerCompute, ServerLaunchSpec } from '../../ports/server-compute.ts';
import { kernelEnvironment } from './kernel-environment.ts';
import {
  freePorts,
  lowerPriority,
  REPORTER_NICENESS,
  type SidecarStart,
  sidecarAddress,
  startCredentialsSidecar,
} from './local-credentials-sidecar.ts';
import { labServerEnvironment, serverPythonPath } from './local-lab.ts';
import { killGroup, reapProcessesMarked } from './process-tree.ts';
import { type LocalServer, LocalJupyters } from './local-jupyter.ts';

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
  /** How long one look at a starting server (`observe`) waits for Jupyter to answer before it says "waiting". */
  lookWaitMs?: number;
  /** Jupyter servers kept started ahead (images/notebook-server/warm_server.py); 0 or unset: every launch is cold. */
  warmServers?: { size: number; script: string };
  /** Seconds between activity reports (the pod sidecar's default is 300). */
  activityIntervalSeconds: number;
  /** A server's process ended without being asked to. */
  onExit: (serverId: string, launchId: string, reason: string) => void;
  /** Variable names passed to servers and their kernels on top of the allowlist (ORRERY_KERNEL_ENV). */
  extraEnvironment?: readonly string[];
}

const GRACE_MS = 5000;
const SIDECAR_READY_MS = 15_000;

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

  private readonly jupyters: LocalJupyters;

  constructor(private readonly o: LocalServerOptions) {
    this.jupyters = new LocalJupyters(o);
  }

  /** Starts the warm servers; after reapLeftovers(), which would kill them. */
  startWarmServers(): void {
    this.jupyters.startWarm();
  }

  /** How many warm servers are ready for a launch now. */
  readyWarmServers(): number {
    return this.jupyters.readyWarm();
  }

  /** Ends the warm servers no launch took. */
  async closeWarmServers(): Promise<void> {
    await this.jupyters.closeWarm();
  }

  private folder(serverId: string) {
    return join(this.o.serversDir, serverId);
  }

  async putToken(serverId: string, token: string, credentialsToken: string): Promise<void> {
    mkdirSync(this.folder(serverId), { recursive: true, mode: 0o700 });
    writeFileSync(join(this.folder(serverId), 'token'), token, { mode: 0o600 });
    chmodSync(join(this.folder(serverId), 'token'), 0o600);
    this.credentialsTokens.set(serverId, credentialsToken);
  }

  async create(spec: ServerLaunchSpec): Promise<void> {
    const held = this.servers.get(spec.serverId);
    if (held?.launchId === spec.launchId && !held.exited) return;
    if (held) await this.remove(spec.serverId);
    const credentialsToken = this.credentialsTokens.get(spec.serverId);
    if (!credentialsToken) throw new Error(`no credentials token was kept for ${spec.serverId}`);
    const dir = this.folder(spec.serverId);
    mkdirSync(join(dir, 'work'), { recursive: true });
    const token = readFileSync(join(dir, 'token'), 'utf8');
    const [port, credentialsPort] = await freePorts(2);
    const address = sidecarAddress(credentialsPort!);
    const marks = { ORRERY_SERVER_ID: spec.serverId, ORRERY_SERVERS_DIR: this.o.serversDir };
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
      AWS_CONTAINER_CREDENTIALS_FULL_URI: address.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: address.authorization,
    });
    // Jupyter first, the long pole of a launch; the sidecar beside it at the lowest priority, so it binds its port
    // soon without taking CPU from starts under way; the reporter once Jupyter answers (it has nothing to report before).
    const server = await this.jupyters.start(spec, dir, port!, env);
    this.servers.set(spec.serverId, server);
    server.jupyter.once('close', (code, signal) => this.onJupyterExit(spec.serverId, server, code, signal));
    this.startSidecar(server, {
      python: this.o.python,
      cwd: this.o.credentialsSidecarDir,
      env: kernelEnvironment(process.env, [], marks),
      apiUrl: spec.apiUrl,
      serverName: spec.name,
      credentialsToken,
      serverDir: dir,
      address,
    });
    const reporterEnv = {
      ...env,
      JUPYTER_URL: `http://127.0.0.1:${port}${spec.basePath}`,
      ORRERY_ACTIVITY_URL: spec.activityUrl,
      ORRERY_SERVER_TOKEN: token,
      ORRERY_ACTIVITY_INTERVAL: String(this.o.activityIntervalSeconds),
    };
    void server.settled.then(() => this.startReporter(server, reporterEnv));
  }

  /**
   * The credentials sidecar, on the port chosen for it. A server whose sidecar cannot serve is ended with the
   * sidecar's reason, as a pod whose sidecar failed would be. A kernel that asks for keys before it serves is refused
   * a connection, which botocore retries (3 tries, a second apart).
   */
  private startSidecar(server: LocalServer, sidecar: SidecarStart) {
    try {
      const started = startCredentialsSidecar(sidecar, this.o.sidecarReadyMs ?? SIDECAR_READY_MS);
      server.sidecar = started.sidecar;
      started.ready.catch((err: Error) => this.fail(server, err.message));
    } catch (err) {
      this.fail(server, `the credentials sidecar could not start: ${(err as Error).message}`);
    }
  }

  /** The activity reporter, at lower priority, once Jupyter answers; a reporter that cannot start ends the server. */
  private startReporter(server: LocalServer, env: Record<string, string>) {
    if (server.exited || server.removing) return;
    try {
      const reporter = spawn(this.o.python, [this.o.reporterScript], { env, detached: true, stdio: 'ignore' });
      reporter.once('error', (err) => this.fail(server, `the activity reporter could not start: ${err.message}`));
      lowerPriority(reporter, REPORTER_NICENESS);
      server.reporter = reporter;
    } catch (err) {
      this.fail(server, `the activity reporter could not start: ${(err as Error).message}`);
    }
  }

  /** Ends a server for a reason of its own (its sidecar failed): recorded as its exit. */
  private fail(server: LocalServer, reason: string) {
    if (server.exited || server.removing) return;
    server.exited = reason;
    server.settle();
    killGroup(server.jupyter, 'SIGTERM');
    const timer = setTimeout(() => killGroup(server.jupyter, 'SIGKILL'), GRACE_MS);
    timer.unref();
    server.jupyter.once('exit', () => clearTimeout(timer));
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
    server.settle();
    if (server.reporter) killGroup(server.reporter, 'SIGTERM');
    if (server.sidecar) killGroup(server.sidecar, 'SIGTERM');
    reapProcessesMarked(`ORRERY_SERVER_ID=${serverId}`, `ORRERY_SERVERS_DIR=${this.o.serversDir}`);
    if (!server.removing) this.o.onExit(serverId, server.launchId, server.exited);
  }

  /**
   * One look at a server; while Jupyter is starting, the look waits up to `lookWaitMs` for it to answer or end, so
   * the launch sees the change when it happens rather than at the next look.
   */
  async observe(serverId: string): Promise<ServerObservation> {
    const server = this.servers.get(serverId);
    if (!server) return { state: 'absent' };
    if (!server.answering && !server.exited)
      await Promise.race([server.settled, sleep(this.o.lookWaitMs ?? 0, undefined, { ref: false })]);
    if (server.exited) return { state: 'failed', reason: server.exited };
    if (server.answering) return { state: 'ready', url: `http://127.0.0.1:${server.port}${server.basePath}` };
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
    if (server.sidecar) killGroup(server.sidecar, 'SIGTERM');
    if (!ended(server.jupyter)) {
      // 'exit', not 'close': kernels, in sessions of their own, may hold Jupyter's stderr open after it is gone.
      const closed = new Promise((r) => server.jupyter.once('exit', r));
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
