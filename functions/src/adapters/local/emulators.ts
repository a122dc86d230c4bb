import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import S3rver from 's3rver';
import { EMULATOR_CREDENTIALS } from '../aws/emulator-credentials.ts';
import { checkPostPolicy, type PolicyRefusal } from './post-policy.ts';
import { makePutsAtomic, type S3rverStore } from './s3rver-atomic-puts.ts';

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
      // A dynalite that died (crash, OOM kill) has no channel left to close.
      if (child.connected) child.disconnect();
      await exited;
    },
  };
};

const cors = (origins: readonly string[]) =>
  '<CORSConfiguration><CORSRule>' +
  origins.map((o) => `<AllowedOrigin>${o}</AllowedOrigin>`).join('') +
  '<AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>' +
  '<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>' +
  '</CORSRule></CORSConfiguration>';

type KoaContext = {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  query: Record<string, unknown>;
  req: IncomingMessage;
  status: number;
  type: string;
  body: unknown;
  set(name: string, value: string): void;
};

// The emulators' fixed account (every client signs with it); s3rver itself checks no POST policy at all.
const LOCAL_SECRET_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
// A form is held in memory while its policy is checked; past this the POST is refused before it is read.
const MAX_FORM_BYTES = 1024 * 1024 * 1024;

const answer = (ctx: KoaContext, status: number, code: string, message: string) => {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
};

const readForm = async (req: IncomingMessage): Promise<Buffer | null> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_FORM_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
};

// The policy checker reads field names case-insensitively and s3rver reads them as written, stopping at the file:
// a second `Key`, or a field after the file, would let the two read different keys.
const formShapeProblem = (names: readonly string[]): string | null => {
  const lower = names.map((n) => n.toLowerCase());
  const repeated = lower.find((n, i) => lower.indexOf(n) !== i);
  if (repeated) return `the form names the field '${repeated}' twice; send each field once`;
  if (lower.indexOf('file') !== lower.length - 1) return "the file must be the form's last field";
  return null;
};

/** Why S3 would refuse this browser-form POST to `bucket`, or null; the body is then replayed to s3rver. */
const checkForm = async (ctx: KoaContext, bucket: string): Promise<PolicyRefusal | null> => {
  const body = await readForm(ctx.req);
  if (!body)
    return { status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size' };
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), {
      headers: { 'content-type': ctx.headers['content-type'] ?? '' },
    }).formData();
  } catch {
    return {
      status: 400,
      code: 'MalformedPOSTRequest',
      message: 'The body of your POST request is not well-formed multipart/form-data.',
    };
  }
  const shapeProblem = formShapeProblem([...form.keys()]);
  if (shapeProblem) return { status: 400, code: 'InvalidArgument', message: shapeProblem };
  const file = form.get('file');
  const fields = new Map([...form.entries()].filter(([, v]) => typeof v === 'string') as Array<[string, string]>);
  const refusal = checkPostPolicy(
    fields,
    typeof file === 'object' && file ? file.size : 0,
    bucket,
    LOCAL_SECRET_KEY,
    new Date(),
  );
  // s3rver parses the form itself: hand it the same bytes again.
  ctx.req = Object.assign(Readable.from([body]), { headers: ctx.req.headers }) as unknown as IncomingMessage;
  return refusal;
};

/**
 * s3rver serves anonymous requests; the platform only ever sends signed ones: SDK calls, presigned URLs, and
 * browser-form POSTs whose policy (signature, expiry, conditions, content-length-range) is checked here as S3 would.
 */
const signedOnly =
  (bucket: string, origins: readonly string[]) => async (ctx: KoaContext, next: () => Promise<void>) => {
    if (ctx.method === 'OPTIONS') return next();
    const isForm =
      ctx.method === 'POST' &&
      ctx.path.replace(/\/+$/, '') === `/${bucket}` &&
      /^multipart\/form-data/i.test(ctx.headers['content-type'] ?? '');
    // A form is judged by its policy alone, whatever headers ride along (s3rver never checks a V4 signature).
    if (!isForm && (ctx.headers.authorization || ctx.query['X-Amz-Signature'])) return next();
    if (!isForm) return answer(ctx, 403, 'AccessDenied', 'Anonymous access is not allowed');
    const refusal = await checkForm(ctx, bucket);
    if (!refusal) return next();
    // S3 answers a refused form with CORS headers too, so the portal can read why.
    if (origins.includes(ctx.headers.origin ?? '')) ctx.set('Access-Control-Allow-Origin', ctx.headers.origin!);
    answer(ctx, refusal.status, refusal.code, refusal.message);
  };

/**
 * Starts s3rver on loopback, persisted under `<dir>`, with the bucket made. Browsers upload straight to
 * presigned URLs, so CORS is open to the platform's own origins (127.0.0.1 and localhost name the same server)
 * and no other; the rule is rewritten on every start. It takes `preferredPort` (the last start's) when that is
 * free, so upload and download URLs handed out before a restart keep working; otherwise any free port.
 */
export const startS3rver = async (
  dir: string,
  bucket: string,
  allowedOrigins: string | readonly string[],
  preferredPort = 0,
): Promise<RunningEmulator> => {
  mkdirSync(dir, { recursive: true });
  const origins = typeof allowedOrigins === 'string' ? [allowedOrigins] : allowedOrigins;
  const make = (port: number) => {
    const configureBuckets = [{ name: bucket, configs: [cors(origins)] }];
    const server = new S3rver({ address: '127.0.0.1', port, directory: dir, silent: true, configureBuckets });
    // S3rver is a Koa app: put the check in front of its own middleware.
    (server as unknown as { middleware: unknown[] }).middleware.unshift(signedOnly(bucket, origins));
    makePutsAtomic((server as unknown as { store: S3rverStore }).store);
    return server;
  };
  let server = make(preferredPort);
  let address: AddressInfo;
  try {
    address = (await server.run()) as AddressInfo;
  } catch (err) {
    if (!preferredPort || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    server = make(0);
    address = (await server.run()) as AddressInfo;
  }
  return { endpoint: `http://127.0.0.1:${address.port}`, close: async () => void (await server.close()) };
};
