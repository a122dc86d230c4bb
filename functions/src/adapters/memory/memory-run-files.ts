import { createHash } from 'node:crypto';
import { PayloadTooLargeError } from '../../domain/errors.ts';
import type { PresignedRequest } from '../../ports/body-store.ts';
import type { RunFiles } from '../../ports/run-files.ts';

/** Run files in a Map, for unit tests. */
export class MemoryRunFiles implements RunFiles {
  readonly files = new Map<string, Uint8Array>();

  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.files.set(key, new Uint8Array(bytes));
  }

  async get(key: string): Promise<Uint8Array | null> {
    return this.files.get(key) ?? null;
  }

  async size(key: string): Promise<number | null> {
    return this.files.get(key)?.byteLength ?? null;
  }

  // Derived from the content, as S3's ETag of a single PUT is: a test that swaps bytes in `files` changes it too.
  async tag(key: string): Promise<string | null> {
    const bytes = this.files.get(key);
    return bytes ? createHash('sha256').update(bytes).digest('hex') : null;
  }

  async getBounded(key: string, maxBytes: number): Promise<Uint8Array | null> {
    const bytes = this.files.get(key);
    if (bytes && bytes.byteLength > maxBytes)
      throw new PayloadTooLargeError(`${key} is ${bytes.byteLength} bytes, over the ${maxBytes}-byte limit`);
    return bytes ?? null;
  }

  async presignGet(key: string, expiresIn: number, fileName?: string): Promise<PresignedRequest> {
    return {
      method: 'GET',
      url: `memory://${key}${fileName ? `?name=${encodeURIComponent(fileName)}` : ''}`,
      headers: {},
      expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    };
  }

  async presignPut(key: string, expiresIn: number): Promise<PresignedRequest> {
    return {
      method: 'PUT',
      url: `memory://${key}`,
      headers: {},
      expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    };
  }
}
