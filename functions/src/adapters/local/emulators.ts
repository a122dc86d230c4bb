import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';

/** A running emulator: where it listens and how to stop it. */
export interface RunningEmulator {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite on a free loopback port, persisted under `<dir>` (LevelDB). */
export const startDynalite = async (dir: string): Promise<RunningEmulator> => {
  mkdirSync(dir, { recursive: true });
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
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
