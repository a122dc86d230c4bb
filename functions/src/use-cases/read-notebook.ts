import { NotFoundError } from '../domain/errors.ts';
import type { Notebook, NotebookVersion } from '../domain/notebook.ts';
import type { ParameterInference } from '../domain/parameters.ts';
import type { User } from '../domain/user.ts';
import type { PresignedRequest } from '../ports/body-store.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadReadable } from './notebook-access.ts';

/** Reads one notebook the user may see (404 otherwise). */
export const getNotebook = (deps: FoliumDeps, input: { user: User; notebookId: string }): Promise<Notebook> =>
  loadReadable(deps.notebooks, input.user, input.notebookId);

/**
 * Lists a notebook's versions, oldest first.
 * 1. Load the notebook the user may read.
 * 2. Read one page of versions after the cursor (a version number, sealed to this notebook).
 */
export const listVersions = async (
  deps: FoliumDeps,
  input: { user: User; notebookId: string; limit: number; cursor?: string },
): Promise<{ items: NotebookVersion[]; nextCursor: string | null }> => {
  await loadReadable(deps.notebooks, input.user, input.notebookId);
  const scope = `versions:${input.notebookId}`;
  const after = input.cursor ? Number(deps.cursors.decode(scope, input.cursor)) : undefined;
  const page = await deps.notebooks.listVersions(input.notebookId, { after, limit: input.limit });
  return { items: page.items, nextCursor: page.next === undefined ? null : deps.cursors.encode(scope, String(page.next)) };
};

/** Resolves `latest` (or no version) to the newest committed version; 404 when there is none. */
const loadVersion = async (deps: FoliumDeps, notebook: Notebook, version?: number): Promise<NotebookVersion> => {
  const number = version ?? (await deps.notebooks.highestVersion(notebook.id));
  const found = number > 0 ? await deps.notebooks.getVersion(notebook.id, number) : null;
  if (!found) throw new NotFoundError(version ? `notebook ${notebook.id} has no version ${version}` : `notebook ${notebook.id} has no committed version yet`);
  return found;
};

/**
 * Reads one version with a presigned download URL for its body.
 * 1. Load the notebook the user may read, then the version (latest when none is named).
 * 2. Presign a GET that downloads the body as `<title>-v<n>.ipynb`.
 */
export const getVersion = async (
  deps: FoliumDeps,
  input: { user: User; notebookId: string; version?: number },
): Promise<NotebookVersion & { download: PresignedRequest }> => {
  const notebook = await loadReadable(deps.notebooks, input.user, input.notebookId);
  const version = await loadVersion(deps, notebook, input.version);
  const fileName = `${notebook.title.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || notebook.id}-v${version.version}.ipynb`;
  return { ...version, download: await deps.bodies.presignDownload(version.sha256, fileName, deps.limits.urlSeconds) };
};

/** The parameters inferred for a version (latest by default) of a notebook the user may read. */
export const getParameters = async (
  deps: FoliumDeps,
  input: { user: User; notebookId: string; version?: number },
): Promise<ParameterInference & { version: number }> => {
  const notebook = await loadReadable(deps.notebooks, input.user, input.notebookId);
  const version = await loadVersion(deps, notebook, input.version);
  return { version: version.version, ...version.parameters };
};

/** Reads the notebook, version record and body bytes of one version the user may read. */
export const readVersionBody = async (
  deps: FoliumDeps,
  input: { user: User; notebookId: string; version?: number },
): Promise<{ notebook: Notebook; version: NotebookVersion; bytes: Uint8Array }> => {
  const notebook = await loadReadable(deps.notebooks, input.user, input.notebookId);
  const version = await loadVersion(deps, notebook, input.version);
  return { notebook, version, bytes: await deps.bodies.getBody(version.sha256) };
};
