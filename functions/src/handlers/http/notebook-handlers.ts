import { commitVersion, type CommitVersionDeps } from '../../use-cases/commit-version.ts';
import { archiveNotebook, type ArchiveNotebookDeps } from '../../use-cases/archive-notebook.ts';
import { createUpload, type CreateUploadDeps } from '../../use-cases/create-upload.ts';
import { updateNotebook, type UpdateNotebookDeps } from '../../use-cases/update-notebook.ts';
import { createNotebook, type CreateNotebookDeps } from '../../use-cases/create-notebook.ts';
import { listNotebooks, type ListNotebooksDeps } from '../../use-cases/list-notebooks.ts';
import { getNotebook, type GetNotebookDeps } from '../../use-cases/get-notebook.ts';
import { getParameters, type GetParametersDeps } from '../../use-cases/get-parameters.ts';
import { getVersion, type GetVersionDeps } from '../../use-cases/get-version.ts';
import { listVersions, type ListVersionsDeps } from '../../use-cases/list-versions.ts';
import { renderVersion, type RenderVersionDeps } from '../../use-cases/render-version.ts';
import { httpHandler, type HttpOptions } from '../../http/http-handler.ts';
import { created, ok, textResult } from '../../http/responses.ts';
import { API_ROUTES as R } from '../../contracts/api-routes.ts';
import { NOTEBOOK_HTML_HEADERS } from './html-headers.ts';

/** What the Folium routes' use cases need, together. */
export type NotebookRouteDeps = CreateNotebookDeps &
  ListNotebooksDeps &
  GetNotebookDeps &
  UpdateNotebookDeps &
  ArchiveNotebookDeps &
  CreateUploadDeps &
  CommitVersionDeps &
  ListVersionsDeps &
  GetVersionDeps &
  RenderVersionDeps &
  GetParametersDeps;

/** The Folium routes, each one use case behind the shared middleware chain. */
export const makeNotebookHandlers = (deps: NotebookRouteDeps, o: HttpOptions) => ({
  createNotebook: httpHandler(
    R.createNotebook,
    async ({ body, user }) => created(await createNotebook(deps, { ...body, user })),
    o,
  ),
  listNotebooks: httpHandler(
    R.listNotebooks,
    async ({ query: { limit, cursor, ...filter }, user }) =>
      ok(await listNotebooks(deps, { user, filter, limit, cursor })),
    o,
  ),
  getNotebook: httpHandler(
    R.getNotebook,
    async ({ params, user }) => ok(await getNotebook(deps, { user, notebookId: params.id })),
    o,
  ),
  patchNotebook: httpHandler(
    R.patchNotebook,
    async ({ params, body, user }) => ok(await updateNotebook(deps, { user, notebookId: params.id, patch: body })),
    o,
  ),
  archiveNotebook: httpHandler(
    R.archiveNotebook,
    async ({ params, user }) => ok(await archiveNotebook(deps, { user, notebookId: params.id })),
    o,
  ),
  createUpload: httpHandler(
    R.createUpload,
    async ({ params, user }) => created(await createUpload(deps, { user, notebookId: params.id })),
    o,
  ),
  commitVersion: httpHandler(
    R.commitVersion,
    async ({ params, body, user }) => created(await commitVersion(deps, { ...body, user, notebookId: params.id })),
    o,
  ),
  listVersions: httpHandler(
    R.listVersions,
    async ({ params, query, user }) => ok(await listVersions(deps, { user, notebookId: params.id, ...query })),
    o,
  ),
  getVersion: httpHandler(
    R.getVersion,
    async ({ params, user }) => ok(await getVersion(deps, { user, notebookId: params.id, version: params.v })),
    o,
  ),
  renderVersion: httpHandler(
    R.renderVersion,
    async ({ params, user }) =>
      textResult(await renderVersion(deps, { user, notebookId: params.id, version: params.v }), NOTEBOOK_HTML_HEADERS),
    o,
  ),
  getParameters: httpHandler(
    R.getParameters,
    async ({ params, query, user }) =>
      ok(await getParameters(deps, { user, notebookId: params.id, version: query.version })),
    o,
  ),
});
