import { ApiError, uploadBody, type ApiClient, type Version } from './api-client.ts';

/** Why a chosen file cannot be a notebook, in words for the person who chose it; null when it can. */
export const notebookFileProblem = (name: string, text: string): string | null => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `${name} is not a notebook: it is not JSON. Choose an .ipynb file saved by Jupyter.`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `${name} is not a notebook: its JSON is not an object.`;
  const nb = value as { nbformat?: unknown; cells?: unknown };
  if (typeof nb.nbformat !== 'number') return `${name} is not a notebook: it has no nbformat version.`;
  if (nb.nbformat < 4)
    return (
      `${name} is an nbformat ${nb.nbformat} notebook; ` +
      'open and save it in a current Jupyter to upgrade it to nbformat 4.'
    );
  if (!Array.isArray(nb.cells)) return `${name} is not a notebook: it has no list of cells.`;
  return null;
};

/** A title from a file name: `weekly_sales-report.ipynb` → `weekly sales-report`. */
export const titleFromFileName = (name: string): string =>
  name
    .replace(/\.ipynb$/i, '')
    .replace(/_+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);

/** The sha256 of some bytes as 64 lowercase hex digits (what a commit names the uploaded body by). */
export const sha256Hex = async (bytes: ArrayBuffer): Promise<string> => {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
};

/** Reads a chosen file and checks it is a notebook; the bytes are what gets uploaded and hashed. */
export const readNotebookFile = async (
  file: Blob & { name: string },
): Promise<{ bytes: ArrayBuffer; problem: string | null }> => {
  const bytes = await file.arrayBuffer();
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return { bytes, problem: notebookFileProblem(file.name, text) };
};

/**
 * Uploads a body straight to storage and commits it as the notebook's next version: a presigned form POST
 * (a fresh form unless `upload` is given, as POST /notebooks returns one for version 1), then the commit
 * naming the upload and the sha256 of exactly the bytes sent.
 */
export const uploadVersion = async (
  api: ApiClient,
  input: {
    notebookId: string;
    bytes: ArrayBuffer;
    message?: string;
    upload?: Awaited<ReturnType<ApiClient['createUpload']>> | null;
  },
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<Version> => {
  const [upload, sha256] = await Promise.all([
    input.upload ?? api.createUpload(input.notebookId),
    sha256Hex(input.bytes),
  ]);
  await uploadBody(upload, new Blob([input.bytes], { type: 'application/x-ipynb+json' }), onProgress, signal);
  return api.commitVersion(input.notebookId, {
    uploadId: upload.uploadId,
    sha256,
    ...(input.message ? { message: input.message } : {}),
  });
};

/**
 * What to tell the person whose upload of `fileName` failed: what was wrong with the file and what to do about it,
 * or, when the file was not the problem, that sending it again may work (`button` is the one that sends it).
 */
export const uploadFailureText = (fileName: string, error: unknown, button = 'Upload'): string => {
  // Sentences are joined after it: a message's own full stop would double.
  const message = (error instanceof Error ? error.message : String(error)).replace(/\.+$/, '');
  if (!(error instanceof ApiError)) return `The upload failed: ${message}. Press ${button} to try again.`;
  if (error.code === 'invalid_notebook') {
    const problems = error.details.map((d) => `${d.path} ${d.message}`);
    const shown = problems.slice(0, 3).join('; ');
    const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
    return (
      `${fileName} is not a valid Jupyter notebook${shown ? `: ${shown}${more}` : ''}. ` +
      'Open it in Jupyter and save it again, or choose another file.'
    );
  }
  if (error.status === 413)
    return `${fileName} is too large to keep: ${message}. Clear large outputs in Jupyter, save, and choose it again.`;
  if (error.code === 'hash_mismatch') return `${fileName} changed while it was sent. Press ${button} to send it again.`;
  return `The upload failed: ${message}. Press ${button} to try again.`;
};
