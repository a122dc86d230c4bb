import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { NotFoundError, PayloadTooLargeError, UpstreamError } from '../../domain/errors.ts';
import { presignRequest, readObject, readObjectBounded } from './s3-objects.ts';
import {
  uploadChanged,
  type BodyStore,
  type PresignedPost,
  type PresignedRequest,
  type ReadUpload,
  type StoredBody,
} from '../../ports/body-store.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Notebook bodies in S3 at `bodies/<sha256>`, uploads at `uploads/<notebook>/<upload>`; no key comes from users. */
export class S3BodyStore implements BodyStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async putBody(bytes: Uint8Array): Promise<StoredBody> {
    const hash = sha256(bytes);
    const key = `bodies/${hash}`;
    // No HEAD first: the key is the content, so writing it again stores the same single copy, and a
    // HEAD on a missing key is a 403 (not 404) for roles without s3:ListBucket.
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: 'application/x-ipynb+json' }),
    );
    return { key, sha256: hash, size: bytes.byteLength };
  }

  async getBody(hash: string): Promise<Uint8Array> {
    const bytes = await readObject(this.s3, this.bucket, `bodies/${hash}`);
    if (!bytes) throw new NotFoundError(`no body ${hash}`);
    // Versions are immutable: a stored object that no longer hashes to its key was changed behind our back.
    if (sha256(bytes) !== hash) throw new UpstreamError(`the stored body ${hash} fails its integrity check`);
    return bytes;
  }

  async presignUpload(
    notebookId: string,
    uploadId: string,
    expiresInSeconds: number,
    maxBytes: number,
  ): Promise<PresignedPost> {
    // A form POST, not a PUT: only a POST policy can bound the length (content-length-range) of what S3 takes.
    const { url, fields } = await createPresignedPost(this.s3, {
      Bucket: this.bucket,
      Key: this.uploadKey(notebookId, uploadId),
      Conditions: [['content-length-range', 1, maxBytes]],
      Fields: { 'Content-Type': 'application/x-ipynb+json' },
      Expires: expiresInSeconds,
    });
    return {
      method: 'POST',
      url,
      fields,
      maxBytes,
      expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString(),
    };
  }

  async readUpload(notebookId: string, uploadId: string, maxBytes: number): Promise<ReadUpload | null> {
    const read = await readObjectBounded(this.s3, this.bucket, this.uploadKey(notebookId, uploadId), maxBytes);
    if (read.kind === 'missing') return null;
    if (read.kind === 'too_large')
      throw new PayloadTooLargeError(
        `the upload is ${read.size} bytes, over the ${maxBytes}-byte limit for a notebook`,
      );
    if (read.kind === 'changed') throw uploadChanged(uploadId);
    return { bytes: read.bytes, sha256: sha256(read.bytes) };
  }

  async deleteUpload(notebookId: string, uploadId: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.uploadKey(notebookId, uploadId) }));
  }

  async presignDownload(hash: string, fileName: string, expiresInSeconds: number): Promise<PresignedRequest> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: `bodies/${hash}`,
      ResponseContentDisposition: `attachment; filename="${fileName}"`,
    });
    return presignRequest(this.s3, 'GET', command, expiresInSeconds);
  }

  private uploadKey(notebookId: string, uploadId: string): string {
    return `uploads/${notebookId}/${uploadId}`;
  }
}
