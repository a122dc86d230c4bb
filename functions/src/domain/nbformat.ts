import * as z from 'zod';
import { UnprocessableError, type ErrorDetail } from './errors.ts';

/** The kernel a version was saved with, from its metadata. */
export interface KernelInfo {
  name: string | null;
  displayName: string | null;
  language: string | null;
}

const multiline = z.union([z.string(), z.array(z.string())], { error: 'must be a string or a list of strings' });
const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be an object' });
const mimeBundle = z.record(z.string(), z.unknown(), { error: 'must be an object of MIME type to data' });
const cellId = z
  .string()
  .regex(/^[a-zA-Z0-9-_]{1,64}$/, 'must be 1–64 letters, digits, - or _')
  .optional();

const streamOutput = z.object({
  output_type: z.literal('stream'),
  name: z.enum(['stdout', 'stderr']),
  text: multiline,
});
const displayOutput = z.object({ output_type: z.literal('display_data'), data: mimeBundle, metadata: jsonObject });
const resultOutput = z.object({
  output_type: z.literal('execute_result'),
  data: mimeBundle,
  metadata: jsonObject,
  execution_count: z.number().int().nonnegative().nullable(),
});
const errorOutput = z.object({
  output_type: z.literal('error'),
  ename: z.string(),
  evalue: z.string(),
  traceback: z.array(z.string()),
});
const output = z.discriminatedUnion('output_type', [streamOutput, displayOutput, resultOutput, errorOutput], {
  error: 'output_type must be one of stream, display_data, execute_result, error',
});

const codeCell = z.object({
  id: cellId,
  cell_type: z.literal('code'),
  metadata: jsonObject,
  source: multiline,
  outputs: z.array(output, { error: 'must be a list of outputs' }),
  execution_count: z.number().int().nonnegative().nullable(),
});
const markdownCell = z.object({
  id: cellId,
  cell_type: z.literal('markdown'),
  metadata: jsonObject,
  source: multiline,
  attachments: jsonObject.optional(),
});
const rawCell = z.object({
  id: cellId,
  cell_type: z.literal('raw'),
  metadata: jsonObject,
  source: multiline,
  attachments: jsonObject.optional(),
});
const cell = z.discriminatedUnion('cell_type', [codeCell, markdownCell, rawCell], {
  error: 'cell_type must be one of code, markdown, raw',
});

const notebookSchema = z.object({
  nbformat: z.literal(4, { error: 'must be 4' }),
  nbformat_minor: z.number().int().nonnegative(),
  metadata: jsonObject,
  cells: z.array(cell, { error: 'must be a list of cells' }),
});

/** An nbformat 4 notebook as validated by Orrery. */
export type NotebookJson = z.infer<typeof notebookSchema>;
/** One cell of a notebook. */
export type Cell = NotebookJson['cells'][number];
/** One output of a code cell. */
export type Output = z.infer<typeof output>;

/** What the archive records about a valid notebook body. */
export interface NotebookSummary {
  nbformat: number;
  nbformatMinor: number;
  kernel: KernelInfo;
  cellCount: number;
}

/** Joins a multiline field (string or list of strings) the way nbformat does. */
export const joinSource = (source: string | string[]): string => (Array.isArray(source) ? source.join('') : source);

const pathOf = (path: PropertyKey[]): string =>
  path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
    '',
  ) || '(notebook)';

const fail = (message: string, details?: ErrorDetail[]): never => {
  throw new UnprocessableError(message, details, 'invalid_notebook');
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (err) {
    return fail(`the body is not JSON: ${(err as Error).message}`, [{ path: '(notebook)', message: 'not valid JSON' }]);
  }
};

/** Reads the kernel from notebook metadata (kernelspec and language_info). */
export const kernelOf = (metadata: Record<string, unknown>): KernelInfo => {
  const spec = (metadata.kernelspec ?? {}) as Record<string, unknown>;
  const info = (metadata.language_info ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return { name: str(spec.name), displayName: str(spec.display_name), language: str(spec.language) ?? str(info.name) };
};

/** Parses and validates a notebook body; throws a 422 naming each problem and where it is. */
export const parseNotebook = (text: string): { notebook: NotebookJson; summary: NotebookSummary } => {
  const raw = parseJson(text);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    fail('a notebook is a JSON object with nbformat, metadata and cells');
  const version = (raw as Record<string, unknown>).nbformat;
  if (typeof version === 'number' && version < 4) {
    fail(
      `this is an nbformat ${version} notebook; Orrery stores nbformat 4. ` +
        'Upgrade it first: `jupyter nbconvert --to notebook --nbformat 4 in.ipynb` or open and save it in JupyterLab',
      [{ path: 'nbformat', message: `is ${version}, must be 4` }],
    );
  }
  const parsed = notebookSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues
      .slice(0, 20)
      .map((issue) => ({ path: pathOf(issue.path), message: issue.message }));
    fail(`not a valid nbformat 4 notebook: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
  }
  const notebook = parsed.data as NotebookJson;
  return {
    notebook,
    summary: {
      nbformat: 4,
      nbformatMinor: notebook.nbformat_minor,
      kernel: kernelOf(notebook.metadata),
      cellCount: notebook.cells.length,
    },
  };
};
