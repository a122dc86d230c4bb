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

/** Notebook bodies and uploads; keys are always made here, never taken from user input. */
export interface BodyStore {
  /** Stores bytes under their content address; storing the same bytes twice keeps one copy. */
  putBody(bytes: Uint8Array): Promise<StoredBody>;
  /** Reads a body by its sha256; NotFoundError if absent. */
  getBody(sha256: string): Promise<Uint8Array>;
  /** A presigned PUT for one upload of one notebook. */
  presignUpload(notebookId: string, uploadId: string, expiresInSeconds: number): Promise<PresignedRequest>;
  /** Reads an upload and its sha256, at most `maxBytes` (PayloadTooLargeError past it); null when nothing was uploaded. */
  readUpload(notebookId: string, uploadId: string, maxBytes: number): Promise<{ bytes: Uint8Array; sha256: string } | null>;
  /** Forgets an upload once its body is committed; absent uploads are fine. */
  deleteUpload(notebookId: string, uploadId: string): Promise<void>;
  /** A presigned GET for a stored body, offered as a download with the given file name. */
  presignDownload(sha256: string, fileName: string, expiresInSeconds: number): Promise<PresignedRequest>;
}
