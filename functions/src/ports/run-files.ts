import type { PresignedRequest } from './body-store.ts';

/** A run's files: its parameterized input and its output notebook, under keys the server makes. */
export interface RunFiles {
  /** Stores bytes at a key. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Reads a key; null when nothing is there. */
  get(key: string): Promise<Uint8Array | null>;
  /** The size in bytes of what is at a key, without reading it; null when nothing is there. */
  size(key: string): Promise<number | null>;
  /**
   * A tag that changes whenever what is at a key changes (S3's ETag), without reading it; null when nothing is there.
   */
  tag(key: string): Promise<string | null>;
  /**
   * Reads a key of at most `maxBytes`; null when nothing is there. The size is checked before any byte is
   * read (PayloadTooLargeError past it), and an object replaced while it is read is a ConflictError.
   */
  getBounded(key: string, maxBytes: number): Promise<Uint8Array | null>;
  /** A presigned GET, optionally offered as a download with a file name. */
  presignGet(key: string, expiresInSeconds: number, fileName?: string): Promise<PresignedRequest>;
  /** A presigned PUT, for the runner to write its output. */
  presignPut(key: string, expiresInSeconds: number): Promise<PresignedRequest>;
}
