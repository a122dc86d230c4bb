import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RenderCache } from '../../ports/render-cache.ts';
import { log } from '../../observability/logger.ts';
import { isMissingObject } from './aws-errors.ts';

const PREFIX = 'rendered/';

// Without s3:ListBucket, S3 answers a GET of a missing key with 403 instead of 404: both are a miss here.
const isAbsent = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return isMissingObject(err) || e?.name === 'AccessDenied' || e?.$metadata?.httpStatusCode === 403;
};

/** Rendered pages in the notebooks bucket under `rendered/<key>`; keys come from renderKey, never from users. */
export class S3RenderCache implements RenderCache {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async get(key: string): Promise<string | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: PREFIX + key }));
      return out.Body ? await out.Body.transformToString('utf-8') : '';
    } catch (err) {
      if (isAbsent(err)) return null;
      throw err;
    }
  }

  async put(key: string, html: string): Promise<void> {
    try {
      const page = { Bucket: this.bucket, Key: PREFIX + key, Body: html, ContentType: 'text/html; charset=utf-8' };
      await this.s3.send(new PutObjectCommand(page));
    } catch (err) {
      // The view goes on without the page kept; say so once per failure so a missing grant is noticed.
      log('warn', 'rendered page not cached', { key, error: (err as Error)?.name ?? String(err) });
      throw err;
    }
  }
}
