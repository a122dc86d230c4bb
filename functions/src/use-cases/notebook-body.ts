import { PayloadTooLargeError } from '../domain/errors.ts';
import { parseNotebook, type NotebookJson, type NotebookSummary } from '../domain/nbformat.ts';
import { inferParameters } from '../domain/parameters.ts';
import type { ParameterInference } from '../domain/parameters.ts';

/** Inline content as the API takes it: the notebook file's text, or its JSON object. */
export type InlineContent = string | Record<string, unknown>;

/** A body that passed validation, with what the archive records about it. */
export interface AcceptedBody {
  bytes: Uint8Array;
  notebook: NotebookJson;
  summary: NotebookSummary;
  parameters: ParameterInference;
}

const encoder = new TextEncoder();
// fatal: a body that is not UTF-8 is not a notebook, and must not be stored "repaired".
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Turns inline content into the exact bytes to store; a string is kept byte for byte. */
export const inlineBytes = (content: InlineContent, maxBytes: number): Uint8Array => {
  // nbformat writes one-space indentation and a final newline; objects are stored the same way.
  const bytes = encoder.encode(typeof content === 'string' ? content : `${JSON.stringify(content, null, 1)}\n`);
  if (bytes.byteLength > maxBytes) {
    throw new PayloadTooLargeError(
      `inline content is ${bytes.byteLength} bytes, over the ${maxBytes}-byte limit; create an upload (POST /notebooks/{id}/uploads), PUT the file to its URL, then commit with uploadId and sha256`,
    );
  }
  return bytes;
};

/** Validates bytes as an nbformat 4 notebook (422 otherwise) and infers its parameters. */
export const acceptBody = (bytes: Uint8Array): AcceptedBody => {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    text = '\u0000';
  }
  const { notebook, summary } = parseNotebook(text);
  return { bytes, notebook, summary, parameters: inferParameters(notebook) };
};
