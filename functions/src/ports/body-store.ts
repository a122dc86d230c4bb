import { ConflictError } from '../domain/errors.ts';

/** A body as stored: content-addressed by its sha256. */
export interface StoredBody {
  key: string;
  sha256: string;
  size: number;
}

/** A presigned request the client makes itself, straight to storage. */
export interface PresignedRequest {
  method: 'PUT' | 'GET';
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

/**
 * A presigned form upload straight to storage: the client POSTs `multipart/form-data` to `url` with every
 * field of `fields` and then the file as the last part, named `file`. Storage refuses a file over `maxBytes`.
 */
export interface PresignedPost {
  method: 'POST';
  url: string;
  fields: Record<string, string>;
  maxBytes: number;
  expiresAt: string;
}

/** An upload as read back: its bytes and their sha256. */
export interface ReadUpload {
  bytes: Uint8Array;
  sha256: string;
}

/** Notebook bodies and uploads; keys are always made here, never taken from user input. */
export interface BodyStore {
  /** Stores bytes under their content address; storing the same bytes twice keeps one copy. */
  putBody(bytes: Uint8Array): Promise<StoredBody>;
  /** Reads a body by its sha256; NotFoundError if absent. */
  getBody(sha256: string): Promise<Uint8Array>;
  /** A presigned form POST for one upload of one notebook, refused by storage past `maxBytes`. */
  presignUpload(
    notebookId: string,
    uploadId: string,
    expiresInSeconds: number,
    maxBytes: number,
  ): Promise<PresignedPost>;
  /**
   * Reads an upload and its sha256; null when nothing was uploaded. Its size is checked before any byte is
   * read (PayloadTooLargeError past `maxBytes`), and an upload replaced while it is read is a ConflictError
   * (`upload_changed`), never a mix of two files.
   */
  readUpload(notebookId: string, uploadId: string, maxBytes: number): Promise<ReadUpload | null>;
  /** Forgets an upload once its body is committed; absent uploads are fine. */
  deleteUpload(notebookId: string, uploadId: string): Promise<void>;
  /** A presigned GET for a stored body, offered as a download with the given file name. */
  presignDownload(sha256: string, fileName: string, expiresInSeconds: number): Promise<PresignedRequest>;
}

/** The 409 every adapter raises for an upload replaced between its size check and its read. */
export const uploadChanged = (uploadId: string): ConflictError =>
  new ConflictError(
    `upload ${uploadId} was replaced while it was being read; ` +
      'commit again, naming the sha256 of the file you uploaded last',
    'upload_changed',
  );
