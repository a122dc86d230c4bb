import { createHash } from 'node:crypto';
import { NotFoundError, PayloadTooLargeError, UpstreamError } from '../../domain/errors.ts';
import {
  uploadChanged,
  type BodyStore,
  type PresignedPost,
  type PresignedRequest,
  type ReadUpload,
  type StoredBody,
} from '../../ports/body-store.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Bodies in a Map, for unit tests; uploads are placed with `simulateUpload` as a client's POST would. */
export class MemoryBodyStore implements BodyStore {
  readonly bodies = new Map<string, Uint8Array>();
  readonly uploads = new Map<string, Uint8Array>();
  /** Called between an upload's size check and its read, as a racing client's second POST could land. */
  betweenCheckAndRead?: (notebookId: string, uploadId: string) => Promise<void>;

  async putBody(bytes: Uint8Array): Promise<StoredBody> {
    const hash = sha256(bytes);
    if (!this.bodies.has(hash)) this.bodies.set(hash, new Uint8Array(bytes));
    return { key: `bodies/${hash}`, sha256: hash, size: bytes.byteLength };
  }

  async getBody(hash: string): Promise<Uint8Array> {
    const body = this.bodies.get(hash);
    if (!body) throw new NotFoundError(`no body ${hash}`);
    if (sha256(body) !== hash) throw new UpstreamError(`the stored body ${hash} fails its integrity check`);
    return body;
  }

  async presignUpload(
    notebookId: string,
    uploadId: string,
    expiresInSeconds: number,
    maxBytes: number,
  ): Promise<PresignedPost> {
    const expiresAt = new Date(Date.now() + expiresInSeconds * 1000).toISOString();
    return {
      method: 'POST',
      url: 'memory://uploads',
      fields: { key: `uploads/${notebookId}/${uploadId}` },
      maxBytes,
      expiresAt,
    };
  }

  /** Stands in for the client's POST to the presigned form. */
  simulateUpload(notebookId: string, uploadId: string, bytes: Uint8Array): void {
    this.uploads.set(`${notebookId}/${uploadId}`, bytes);
  }

  async readUpload(notebookId: string, uploadId: string, maxBytes: number): Promise<ReadUpload | null> {
    const seen = this.uploads.get(`${notebookId}/${uploadId}`);
    if (!seen) return null;
    if (seen.byteLength > maxBytes)
      throw new PayloadTooLargeError(`the upload is ${seen.byteLength} bytes, over the ${maxBytes}-byte limit`);
    await this.betweenCheckAndRead?.(notebookId, uploadId);
    const bytes = this.uploads.get(`${notebookId}/${uploadId}`);
    if (bytes !== seen) throw uploadChanged(uploadId);
    return { bytes, sha256: sha256(bytes) };
  }

  async deleteUpload(notebookId: string, uploadId: string): Promise<void> {
    this.uploads.delete(`${notebookId}/${uploadId}`);
  }

  async presignDownload(hash: string, fileName: string, expiresInSeconds: number): Promise<PresignedRequest> {
    return {
      method: 'GET',
      url: `memory://bodies/${hash}?name=${encodeURIComponent(fileName)}`,
      headers: {},
      expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString(),
    };
  }
}
