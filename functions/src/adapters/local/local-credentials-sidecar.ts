import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { killGroup } from './process-tree.ts';

/** Niceness of a server's credentials sidecar: it starts beside Jupyter, whose start gets the CPU first. */
export const SIDECAR_NICENESS = 19;
/** Niceness of a server's activity reporter (started once Jupyter answers): launches under way go first. */
export const REPORTER_NICENESS = 10;

/** What a local server's kernels need to reach its credentials sidecar, chosen before either process starts. */
export interface SidecarAddress {
  port: number;
  /** AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  url: string;
  /** AWS_CONTAINER_AUTHORIZATION_TOKEN: the sidecar is told to require exactly this one. */
  authorization: string;
}

/** How to start one sidecar. */
export interface SidecarStart {
  python: string;
  /** Where `orrery_runner` lives (images/notebook-runner). */
  cwd: string;
  /** The base environment (the allowlist and the server's marks); the sidecar's own settings go on top. */
  env: Record<string, string>;
  apiUrl: string;
  serverName: string;
  /** The credentials token, handed over in an environment variable the sidecar removes from itself. */
  credentialsToken: string;
  /** The server's folder: the token file goes in `credentials/` there, outside `work/`. */
  serverDir: string;
  address: SidecarAddress;
}

/** `n` distinct loopback ports free a moment ago: all probes stay bound until the last one has its port. */
export const freePorts = async (n: number): Promise<number[]> => {
  const probes: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const probe = createServer();
      probes.push(probe);
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return probes.map((p) => (p.address() as { port: number }).port);
  } finally {
    await Promise.all(probes.map((p) => new Promise((r) => p.close(r))));
  }
};

/** A fresh address: the port to serve on and a random authorization token (43 URL-safe characters). */
export const sidecarAddress = (port: number): SidecarAddress => ({
  port,
  url: `http://127.0.0.1:${port}/credentials`,
  authorization: randomBytes(32).toString('base64url'),
});

/** Lowers a helper's priority; a process that is already gone has nothing to lower. */
export const lowerPriority = (child: ChildProcess, niceness: number): void => {
  try {
    if (child.pid !== undefined) setPriority(child.pid, niceness);
  } catch {
    // Exited already.
  }
};

/**
 * Resolves on the sidecar's ready line (one JSON object on stdout); rejects with its last stderr line when it exits
 * or stays silent for `timeoutMs`.
 */
export const sidecarReady = (child: ChildProcess, timeoutMs: number, tail: () => string): Promise<void> =>
  new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string) => {
      cleanup();
      const last = tail().trim().split('\n').at(-1) ?? '';
      reject(new Error(`the credentials sidecar ${why}${last ? `: ${last.slice(0, 300)}` : ''}`));
    };
    const onLine = (line: string) => {
      try {
        if ((JSON.parse(line) as { ready?: boolean }).ready) {
          cleanup();
          // Keep reading: a full pipe would block the sidecar's next write.
          child.stdout?.resume();
          resolve();
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

/**
 * Starts the credentials sidecar, the local stand-in for the pod's, at the lowest priority: it fetches keys with the
 * credentials token and serves them at the address chosen ahead, so Jupyter starts at the same time with the address
 * in its environment instead of after the sidecar. `ready` settles when it serves or fails; botocore retries a
 * refused connection, so a kernel that asks in between still gets its keys. The port is free from its probe until
 * the sidecar binds it (a Python start): another process binding an ephemeral port then could take it, and the
 * server would end with the sidecar's "cannot serve" reason.
 */
export const startCredentialsSidecar = (
  o: SidecarStart,
  readyWithinMs: number,
): { sidecar: ChildProcess; ready: Promise<void> } => {
  const folder = join(o.serverDir, 'credentials');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  let stderr = '';
  const sidecar = spawn(o.python, ['-B', '-m', 'orrery_runner.credentials_sidecar'], {
    cwd: o.cwd,
    env: {
      ...o.env,
      ORRERY_API_URL: o.apiUrl,
      ORRERY_SERVER_NAME: o.serverName,
      ORRERY_SERVER_TOKEN: o.credentialsToken,
      ORRERY_CREDENTIALS_PORT: String(o.address.port),
      ORRERY_CREDENTIALS_AUTHORIZATION: o.address.authorization,
      ORRERY_CREDENTIALS_TOKEN_FILE: join(folder, 'token'),
      ORRERY_PARENT_PID: String(process.pid),
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  lowerPriority(sidecar, SIDECAR_NICENESS);
  sidecar.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const ready = sidecarReady(sidecar, readyWithinMs, () => stderr).catch((err: Error) => {
    killGroup(sidecar, 'SIGKILL');
    throw err;
  });
  return { sidecar, ready };
};
