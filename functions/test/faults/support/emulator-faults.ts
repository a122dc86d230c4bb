import { fork, type ChildProcess } from 'node:child_process';
import { Server, Socket, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { killHard, processesOf, waitGone } from './processes.ts';

const REPLACEMENT = join(import.meta.dirname, 'dynalite-on-port.ts');

/**
 * Kills a local platform's dynalite with SIGKILL and starts another on the same port and data
 * folder, as a supervisor would: what the platform sees is its database vanishing mid-request and
 * coming back. Works on the platform's own child and on any replacement started here since.
 */
export class DynaliteFaults {
  private replacement: ChildProcess | undefined;

  constructor(
    private readonly dir: string,
    private readonly port: number,
  ) {}

  /** SIGKILLs every process serving the data folder; resolves once they are gone. Returns how many it killed. */
  async kill(): Promise<number> {
    const pids = processesOf({ fragments: [this.dir] }).map((p) => p.pid);
    pids.forEach(killHard);
    const left = await waitGone(pids, 5000);
    if (left.length) throw new Error(`dynalite ${left.join(', ')} outlived SIGKILL`);
    return pids.length;
  }

  /** Starts the replacement on the same port; retries while the port is briefly held. */
  async restart(): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const child = fork(REPLACEMENT, [this.dir, String(this.port)], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const answer = await new Promise<{ port?: number; error?: string }>((resolve) => {
        child.once('message', (m) => resolve(m as { port?: number; error?: string }));
        child.once('exit', (code) => resolve({ error: `exited with ${code}` }));
      });
      if (answer.port) {
        this.replacement = child;
        return;
      }
      if (attempt >= 20) throw new Error(`could not restart dynalite on port ${this.port}: ${answer.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Ends the replacement, if one was started (the platform's close no longer owns it). */
  async close(): Promise<void> {
    const child = this.replacement;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    if (child.connected) child.disconnect();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

interface ProcessWithHandles {
  _getActiveHandles(): unknown[];
}

// The handles this process holds; s3rver runs inside the platform, which runs inside this test process.
const handles = () => (process as unknown as ProcessWithHandles)._getActiveHandles();

/**
 * Makes an in-process s3rver vanish abruptly (every connection reset, the port refusing new ones)
 * and come back on the same port with the same data folder.
 */
export class S3rverFaults {
  private server: Server | undefined;

  constructor(private readonly port: number) {}

  /** Resets every connection s3rver holds and stops it listening; returns how many connections were cut. */
  sever(): number {
    const all = handles();
    this.server ??= all.find(
      (h): h is Server => h instanceof Server && (h.address() as AddressInfo | null)?.port === this.port,
    );
    if (!this.server) throw new Error(`no server listens on port ${this.port} in this process`);
    const sockets = all.filter((h): h is Socket => h instanceof Socket && h.localPort === this.port && !h.destroyed);
    for (const s of sockets) s.resetAndDestroy();
    if (this.server.listening) this.server.close();
    return sockets.length;
  }

  /** Listens again on the same port. */
  async restore(): Promise<void> {
    const server = this.server;
    if (!server || server.listening) return;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }
}
