import type { Cell, NotebookJson } from './nbformat.ts';
import { ValidationError, type ErrorDetail } from './errors.ts';
import { checkParameterNames, toPapermillJson } from './parameter-values.ts';
import type { TypedValue } from './typed-values.ts';
import { translatorFor } from './translators/registry.ts';

/** The tag papermill gives the cell it injects, and removes before injecting again. */
export const INJECTED_TAG = 'injected-parameters';
/** The tag that marks the cell whose defaults the injected cell overrides. */
export const PARAMETERS_TAG = 'parameters';

const hasTag = (cell: Cell, tag: string): boolean =>
  Array.isArray(cell.metadata.tags) && cell.metadata.tags.includes(tag);

/**
 * The code of the injected cell: a `Parameters` comment, then one assignment per value in the order given, as
 * papermill's codify writes it.
 */
const codify = (language: string, values: Record<string, TypedValue>): string => {
  const translator = translatorFor(language);
  checkParameterNames(language, Object.keys(values));
  const lines = [translator.comment('Parameters')];
  const problems: ErrorDetail[] = [];
  for (const [name, value] of Object.entries(values)) {
    try {
      lines.push(translator.assign(name, value));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push(...(err.details ?? []));
    }
  }
  if (problems.length > 0) {
    throw new ValidationError(
      problems.map((d) => `${d.path}: ${d.message}`).join('; '),
      problems,
      'invalid_parameters',
    );
  }
  return `${lines.join('\n')}\n`;
};

// Ids are unique within a notebook (nbformat 4.5); ids of cells that stay keep theirs, the injected cell takes the next
// free one.
const freeId = (cells: Cell[]): string => {
  const taken = new Set(cells.map((cell) => cell.id));
  let id = INJECTED_TAG;
  for (let n = 2; taken.has(id); n += 1) id = `${INJECTED_TAG}-${n}`;
  return id;
};

const withParameters = (
  metadata: Record<string, unknown>,
  values: Record<string, TypedValue>,
): Record<string, unknown> => {
  const papermill =
    metadata.papermill !== null && typeof metadata.papermill === 'object' && !Array.isArray(metadata.papermill)
      ? metadata.papermill
      : {};
  const parameters = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, toPapermillJson(value)]));
  return { ...metadata, papermill: { ...papermill, parameters } };
};

/**
 * Returns a new notebook with the values injected as papermill does: an earlier `injected-parameters` cell is
 * removed, a new one goes right after the first code cell tagged `parameters` (first when there is none), and
 * `metadata.papermill.parameters` records the values. The input is never changed; unchanged cells are shared.
 * Throws a 400 for an unknown language, a name that is not an identifier, or a value the language cannot hold.
 */
export const injectParameters = (
  notebook: NotebookJson,
  language: string,
  values: Record<string, TypedValue>,
): NotebookJson => {
  const source = codify(language, values);
  const kept = notebook.cells.filter((cell) => !hasTag(cell, INJECTED_TAG));
  const at = kept.findIndex((cell) => cell.cell_type === 'code' && hasTag(cell, PARAMETERS_TAG)) + 1;
  const injected: Cell = {
    ...(notebook.nbformat_minor >= 5 ? { id: freeId(kept) } : {}),
    cell_type: 'code',
    metadata: { tags: [INJECTED_TAG] },
    source,
    outputs: [],
    execution_count: null,
  };
  return {
    ...notebook,
    metadata: withParameters(notebook.metadata, values),
    cells: [...kept.slice(0, at), injected, ...kept.slice(at)],
  };
};
