import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PresignedRequest } from '../../ports/body-store.ts';
import type { RunFiles } from '../../ports/run-files.ts';
import { isMissingObject } from './aws-errors.ts';


/** Run inputs and outputs in the notebooks bucket, under `runs/<run id>/`. */
export class S3RunFiles implements RunFiles {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: 'application/x-ipynb+json' }));
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (isMissingObject(err)) return null;
      throw err;
    }
  }

  async presignGet(key: string, expiresIn: number, fileName?: string): Promise<PresignedRequest> {
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(fileName ? { ResponseContentDisposition: `attachment; filename="${fileName}"` } : {}) });
    return { method: 'GET', url: await getSignedUrl(this.s3, command, { expiresIn }), headers: {}, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
  }

  async presignPut(key: string, expiresIn: number): Promise<PresignedRequest> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key });
    return { method: 'PUT', url: await getSignedUrl(this.s3, command, { expiresIn }), headers: {}, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
  }
}
