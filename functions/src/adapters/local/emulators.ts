import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import S3rver from 's3rver';

const CHILD = join(import.meta.dirname, 'dynalite-child.ts');

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

const cors = (origins: readonly string[]) =>
  `<CORSConfiguration><CORSRule>${origins.map((o) => `<AllowedOrigin>${o}</AllowedOrigin>`).join('')}<AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

type KoaContext = { method: string; headers: Record<string, string | undefined>; query: Record<string, unknown>; status: number; type: string; body: unknown };

// s3rver serves anonymous requests; the platform only ever sends signed ones (SDK calls and presigned URLs).
const signedOnly = async (ctx: KoaContext, next: () => Promise<void>) => {
  if (ctx.method === 'OPTIONS' || ctx.headers.authorization || ctx.query['X-Amz-Signature']) return next();
  ctx.status = 403;
  ctx.type = 'application/xml';
  ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Anonymous access is not allowed</Message></Error>';
};

/**
 * Starts s3rver on a free loopback port, persisted under `<dir>`, with the bucket made. Browsers
 * upload straight to presigned URLs, so CORS is open to the platform's own origins (127.0.0.1 and
 * localhost name the same server) and no other; the rule is rewritten on every start, as the port may change.
 */
export const startS3rver = async (dir: string, bucket: string, allowedOrigins: string | readonly string[]): Promise<RunningEmulator> => {
  mkdirSync(dir, { recursive: true });
  const origins = typeof allowedOrigins === 'string' ? [allowedOrigins] : allowedOrigins;
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, configureBuckets: [{ name: bucket, configs: [cors(origins)] }] });
  // S3rver is a Koa app: put the check in front of its own middleware.
  (server as unknown as { middleware: unknown[] }).middleware.unshift(signedOnly);
  const { port } = (await server.run()) as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: async () => void (await server.close()) };
};
