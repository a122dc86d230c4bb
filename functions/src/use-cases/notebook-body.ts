import { PayloadTooLargeError, ValidationError } from '../domain/errors.ts';
import { limitInference } from '../domain/parameter-limits.ts';
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
  const bytes = encoder.encode(typeof content === 'string' ? content : serialize(content));
  if (bytes.byteLength > maxBytes) {
    throw new PayloadTooLargeError(
      `inline content is ${bytes.byteLength} bytes, over the ${maxBytes}-byte limit; ` +
        'create an upload (POST /notebooks/{id}/uploads), POST the file to its form, ' +
        'then commit with uploadId and sha256',
    );
  }
  return bytes;
};

// nbformat writes one-space indentation and a final newline; objects are stored the same way.
const serialize = (content: Record<string, unknown>): string => {
  try {
    return `${JSON.stringify(content, null, 1)}\n`;
  } catch {
    // Only a stack overflow gets here: JSON that came in as JSON always serializes otherwise.
    throw new ValidationError('content is nested too deeply to be a notebook', [
      { path: 'body.content', message: 'nested too deeply' },
    ]);
  }
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
  return { bytes, notebook, summary, parameters: limitInference(inferParameters(notebook)) };
};
