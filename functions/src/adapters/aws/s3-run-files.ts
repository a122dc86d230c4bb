import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConflictError, PayloadTooLargeError } from '../../domain/errors.ts';
import type { PresignedRequest } from '../../ports/body-store.ts';
import type { RunFiles } from '../../ports/run-files.ts';
import { isMissingObject } from './aws-errors.ts';
import { presignRequest, readObject, readObjectBounded } from './s3-objects.ts';

/** Run inputs and outputs in the notebooks bucket, under `runs/<run id>/`. */
export class S3RunFiles implements RunFiles {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: 'application/x-ipynb+json' }),
    );
  }

  get(key: string): Promise<Uint8Array | null> {
    return readObject(this.s3, this.bucket, key);
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))).ContentLength ?? 0;
    } catch (err) {
      if (isMissingObject(err)) return null;
      throw err;
    }
  }

  async tag(key: string): Promise<string | null> {
    try {
      return (await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))).ETag ?? null;
    } catch (err) {
      if (isMissingObject(err)) return null;
      throw err;
    }
  }

  async getBounded(key: string, maxBytes: number): Promise<Uint8Array | null> {
    const read = await readObjectBounded(this.s3, this.bucket, key, maxBytes);
    if (read.kind === 'missing') return null;
    if (read.kind === 'too_large')
      throw new PayloadTooLargeError(`${key} is ${read.size} bytes, over the ${maxBytes}-byte limit`);
    if (read.kind === 'changed') throw new ConflictError(`${key} was replaced while it was read`, 'object_changed');
    return read.bytes;
  }

  presignGet(key: string, expiresIn: number, fileName?: string): Promise<PresignedRequest> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ...(fileName ? { ResponseContentDisposition: `attachment; filename="${fileName}"` } : {}),
    });
    return presignRequest(this.s3, 'GET', command, expiresIn);
  }

  presignPut(key: string, expiresIn: number): Promise<PresignedRequest> {
    return presignRequest(this.s3, 'PUT', new PutObjectCommand({ Bucket: this.bucket, Key: key }), expiresIn);
  }
}
