import type { ParameterInference } from '../domain/parameters.ts';
import type { User } from '../domain/user.ts';
import { loadVersion, type LoadVersionDeps } from './load-version.ts';
import { loadReadable } from './notebook-access.ts';

/** What reading a version's parameters needs. */
export type GetParametersDeps = LoadVersionDeps;

/** The parameters inferred for a version (latest by default) of a notebook the user may read. */
export const getParameters = async (
  deps: GetParametersDeps,
  input: { user: User; notebookId: string; version?: number },
): Promise<ParameterInference & { version: number }> => {
  const notebook = await loadReadable(deps.notebooks, input.user, input.notebookId);
  const version = await loadVersion(deps, notebook, input.version);
  return { version: version.version, ...version.parameters };
};
