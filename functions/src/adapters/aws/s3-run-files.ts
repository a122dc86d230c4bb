import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PresignedRequest } from '../../ports/body-store.ts';
import type { RunFiles } from '../../ports/run-files.ts';
import { presignRequest, readObject } from './s3-objects.ts';

/** Run inputs and outputs in the notebooks bucket, under `runs/<run id>/`. */
export class S3RunFiles implements RunFiles {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: 'application/x-ipynb+json' }));
  }

  get(key: string): Promise<Uint8Array | null> {
    return readObject(this.s3, this.bucket, key);
  }

  presignGet(key: string, expiresIn: number, fileName?: string): Promise<PresignedRequest> {
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(fileName ? { ResponseContentDisposition: `attachment; filename="${fileName}"` } : {}) });
    return presignRequest(this.s3, 'GET', command, expiresIn);
  }

  presignPut(key: string, expiresIn: number): Promise<PresignedRequest> {
    return presignRequest(this.s3, 'PUT', new PutObjectCommand({ Bucket: this.bucket, Key: key }), expiresIn);
  }
}
