import type { PresignedRequest } from './body-store.ts';

/** A run's files: its parameterized input and its output notebook, under keys the server makes. */
export interface RunFiles {
  /** Stores bytes at a key. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Reads a key; null when nothing is there. */
  get(key: string): Promise<Uint8Array | null>;
  /** A presigned GET, optionally offered as a download with a file name. */
  presignGet(key: string, expiresInSeconds: number, fileName?: string): Promise<PresignedRequest>;
  /** A presigned PUT, for the runner to write its output. */
  presignPut(key: string, expiresInSeconds: number): Promise<PresignedRequest>;
}
