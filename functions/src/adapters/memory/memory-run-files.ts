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

  async presignGet(key: string, expiresIn: number, fileName?: string): Promise<PresignedRequest> {
    return { method: 'GET', url: `memory://${key}${fileName ? `?name=${encodeURIComponent(fileName)}` : ''}`, headers: {}, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
  }

  async presignPut(key: string, expiresIn: number): Promise<PresignedRequest> {
    return { method: 'PUT', url: `memory://${key}`, headers: {}, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
  }
}
