import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { dataPaths } from '../../../src/adapters/local/data-folder.ts';
import { LocalIssuer } from '../../../src/adapters/local/local-issuer.ts';
import { UserDirectory } from '../../../src/adapters/local/user-directory.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..', '..');
const START = join(ROOT, 'scripts', 'local', 'start.ts');
const READY = /Orrery is running at (\S+)/;

/** A free loopback port (the platform's own; it keeps it across restarts, as `PORT=` would). */
export const freePort = () =>
  new Promise<number>((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });

/**
 * The local platform as `npm start` runs it (scripts/local/start.ts), in a process of its own with
 * its own ORRERY_HOME and PORT, so a test can SIGKILL it mid-request and start it again on the same data.
 */
export class PlatformProcess {
  private child: ChildProcess | undefined;
  /** How many times it was started. */
  lives = 0;

  constructor(
    readonly home: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  /** The API's base URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  /** Starts it and waits until it says it is running; rejects with its last words if it exits first. */
  async start(timeoutMs = 60_000): Promise<void> {
    const env = { ...process.env, ...this.env, ORRERY_HOME: this.home, PORT: String(this.port) };
    const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', START], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.lives += 1;
    let out = '';
    const keep = (chunk: Buffer) => (out = (out + chunk.toString()).slice(-4000));
    child.stderr!.on('data', keep);
    await new Promise<void>((resolveStart, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the platform did not start within ${timeoutMs} ms: ${out}`)),
        timeoutMs,
      );
      child.stdout!.on('data', (chunk: Buffer) => {
        keep(chunk);
        if (READY.test(out)) {
          clearTimeout(timer);
          resolveStart();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `the platform exited (${signal ?? code}) while starting: ${out.trim().split('\n').slice(-5).join(' | ')}`,
          ),
        );
      });
    });
    // Keep draining its output, or a chatty platform would block on a full pipe.
    child.stdout!.resume();
  }

  /** SIGKILL: no shutdown code runs. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM, as Ctrl-C or a service manager would; returns how it ended, SIGKILLing it past the timeout. */
  async stop(timeoutMs = 30_000): Promise<string> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return 'not running';
    const exited = new Promise<string>((r) => child.once('exit', (code, signal) => r(signal ?? `exit ${code}`)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const how = await exited;
    clearTimeout(timer);
    return how;
  }

  /** A bearer token for a local user, made the way `npm run token` makes one (after the first start). */
  async tokenFor(user: string, teams: string[] = []): Promise<string> {
    const paths = dataPaths(this.home);
    const users = new UserDirectory(paths.users, paths.loginCodes, await LocalIssuer.open(paths.secrets));
    users.upsert(user, { teams });
    return users.tokenFor(user);
  }
}
