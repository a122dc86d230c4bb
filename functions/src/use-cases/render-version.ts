import { parseNotebook } from '../domain/nbformat.ts';
import type { User } from '../domain/user.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { readVersionBody } from './load-version.ts';

/**
 * Renders one version of a notebook to a self-contained, sanitized HTML page.
 * 1. Read the version's body (the user must be able to read the notebook).
 * 2. Parse it (it was validated at commit) and render it; nothing from the notebook can run.
 */
export const renderVersion = async (deps: FoliumDeps, input: { user: User; notebookId: string; version?: number }): Promise<string> => {
  const { notebook, version, bytes } = await readVersionBody(deps, input);
  const { notebook: parsed } = parseNotebook(new TextDecoder().decode(bytes));
  return deps.renderer.render(parsed, { title: `${notebook.title} · v${version.version}` });
};
