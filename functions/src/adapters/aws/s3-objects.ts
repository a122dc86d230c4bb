import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PresignedRequest } from '../../ports/body-store.ts';
import { isMissingObject, isUnlistedObject } from './aws-errors.ts';

/** Reads an object's bytes; null when there is no object at the key. */
export const readObject = async (s3: S3Client, bucket: string, key: string): Promise<Uint8Array | null> => {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
  } catch (err) {
    if (isMissingObject(err)) return null;
    throw err;
  }
};

/** How a bounded read ended: the bytes, or why there are none. */
export type BoundedRead =
  | { kind: 'read'; bytes: Uint8Array }
  | { kind: 'missing' }
  | { kind: 'too_large'; size: number }
  | { kind: 'changed' };

const isPreconditionFailure = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'PreconditionFailed' || e?.$metadata?.httpStatusCode === 412;
};

// Past the HEAD's size the body is not what the HEAD saw: stop reading rather than hold it in memory.
const collect = async (body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array | null> => {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
};

/**
 * Reads an object of at most `maxBytes`, its size checked by a HEAD before any byte is read, and only if it
 * is still the object that HEAD saw: the GET carries IfMatch on the HEAD's ETag (S3 answers 412 otherwise),
 * and the GET's own ETag and length are compared too (s3rver ignores IfMatch).
 */
export const readObjectBounded = async (
  s3: S3Client,
  bucket: string,
  key: string,
  maxBytes: number,
): Promise<BoundedRead> => {
  let head: HeadObjectCommandOutput;
  try {
    head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    // The callers hold GetObject on the key's prefix (infra grants it by prefix), so a 403 here is a missing key.
    if (isMissingObject(err) || isUnlistedObject(err)) return { kind: 'missing' };
    throw err;
  }
  const size = head.ContentLength ?? 0;
  if (size > maxBytes) return { kind: 'too_large', size };
  let out: GetObjectCommandOutput;
  try {
    out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: head.ETag }));
  } catch (err) {
    if (isPreconditionFailure(err) || isMissingObject(err)) return { kind: 'changed' };
    throw err;
  }
  const body = out.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  if (out.ETag !== head.ETag || (out.ContentLength ?? 0) !== size) {
    body?.destroy?.();
    return { kind: 'changed' };
  }
  const bytes = body ? await collect(body, size) : new Uint8Array();
  if (!bytes) {
    body?.destroy?.();
    return { kind: 'changed' };
  }
  return { kind: 'read', bytes };
};

/** Presigns a GET or PUT for a client to make straight to S3. */
export const presignRequest = async (
  s3: S3Client,
  method: 'GET' | 'PUT',
  command: GetObjectCommand | PutObjectCommand,
  expiresIn: number,
): Promise<PresignedRequest> => ({
  method,
  url: await getSignedUrl(s3, command, { expiresIn }),
  headers: {},
  expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
});
