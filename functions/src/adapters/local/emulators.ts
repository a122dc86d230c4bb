import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const CHILD = join(import.meta.dirname, 'dynalite-child.ts');
import { fork } from 'node:child_process';
import S3rver from 's3rver';

/** A running emulator: where it listens and how to stop it. */
export interface RunningEmulator {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on a free loopback port, persisted under `<dir>` (LevelDB), in a child process of
 * its own: the emulator's CPU then runs beside the API's instead of taking turns with it.
 */
export const startDynalite = async (dir: string): Promise<RunningEmulator> => {
  mkdirSync(dir, { recursive: true });
  // SIGINT goes to the whole foreground group on Ctrl-C; the child waits for the parent to close it.
  const child = fork(CHILD, [dir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code} before it listened`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      child.disconnect();
      await exited;
    },
  };
};

// Browsers upload straight to the presigned URL, so the bucket must answer CORS preflights.
const CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

/** Starts s3rver on a free loopback port, persisted under `<dir>`, with the bucket made and open to CORS. */
export const startS3rver = async (dir: string, bucket: string): Promise<RunningEmulator> => {
  mkdirSync(join(dir), { recursive: true });
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, configureBuckets: [{ name: bucket, configs: [CORS] }] });
  const { port } = (await server.run()) as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: async () => void (await server.close()) };
};
