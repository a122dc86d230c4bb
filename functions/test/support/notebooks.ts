import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fixtures folder. */
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** A fixture's text, byte for byte. */
export const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** A small valid nbformat 4 notebook whose one code cell prints `text`. */
export const tinyNotebook = (text = 'hello', extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
        language_info: { name: 'python' },
      },
      cells: [
        { id: 'a1', cell_type: 'markdown', metadata: {}, source: ['# Title\n', 'Some *text*'] },
        {
          id: 'b2',
          cell_type: 'code',
          metadata: { tags: ['parameters'] },
          source: 'n = 3  # how many\n',
          outputs: [],
          execution_count: null,
        },
        {
          id: 'c3',
          cell_type: 'code',
          metadata: {},
          source: `print(${JSON.stringify(text)})`,
          outputs: [{ output_type: 'stream', name: 'stdout', text: [`${text}\n`] }],
          execution_count: 1,
        },
      ],
      ...extra,
    },
    null,
    1,
  )}\n`;

/** POSTs a file to a presigned upload form as a browser would: every field as it is, then the file last. */
export const postToUploadForm = async (
  upload: { url: string; fields: Record<string, string> },
  body: string | Uint8Array,
): Promise<Response> => {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([typeof body === 'string' ? body : new Uint8Array(body)]), 'notebook.ipynb');
  return fetch(upload.url, { method: 'POST', body: form });
};
