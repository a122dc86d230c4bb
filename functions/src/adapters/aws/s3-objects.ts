import { GetObjectCommand, type PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PresignedRequest } from '../../ports/body-store.ts';
import { isMissingObject } from './aws-errors.ts';

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

/** Presigns a GET or PUT for a client to make straight to S3. */
export const presignRequest = async (s3: S3Client, method: 'GET' | 'PUT', command: GetObjectCommand | PutObjectCommand, expiresIn: number): Promise<PresignedRequest> => ({
  method,
  url: await getSignedUrl(s3, command, { expiresIn }),
  headers: {},
  expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
});
