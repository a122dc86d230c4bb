import { z } from 'zod';
import { route } from '../../shared/http/route-spec.ts';
import {
  CommitVersionBody,
  CreateNotebookBody,
  ListNotebooksQuery,
  NotebookIdParams,
  NotebookSchema,
  PageQuery,
  pageOf,
  ParametersSchema,
  PatchNotebookBody,
  PresignedSchema,
  VersionParams,
  VersionQuery,
  VersionSchema,
} from './schemas.ts';
import { ListRunsQuery, RerunBody, RunIdParams, RunSchema, StartRunBody } from './run-schemas.ts';

const Upload = PresignedSchema.extend({ uploadId: z.string() });

/** Every route of the HTTP API, by name; handlers, the router, OpenAPI and CDK read this one table. */
export const API_ROUTES = {
  healthz: route({ method: 'GET', path: '/healthz', group: 'system', summary: 'Liveness', auth: false, status: 200, response: z.object({ status: z.literal('ok') }) }),
  openapi: route({ method: 'GET', path: '/openapi.json', group: 'system', summary: 'This API description', auth: false, status: 200 }),
  me: route({
    method: 'GET',
    path: '/me',
    group: 'system',
    summary: 'The caller: user, teams, admin flag, entitlements',
    auth: true,
    status: 200,
    response: z.object({ id: z.string(), name: z.string(), teams: z.array(z.string()), admin: z.boolean(), entitlements: z.record(z.string(), z.unknown()) }),
  }),
  createNotebook: route({
    method: 'POST',
    path: '/notebooks',
    group: 'notebooks',
    summary: 'Create a notebook; inline content becomes version 1, otherwise an upload URL for it is returned',
    auth: true,
    body: CreateNotebookBody,
    status: 201,
    response: z.object({ notebook: NotebookSchema, version: VersionSchema.nullable(), upload: Upload.nullable() }),
  }),
  listNotebooks: route({ method: 'GET', path: '/notebooks', group: 'notebooks', summary: 'Notebooks you may see, newest first, filtered', auth: true, query: ListNotebooksQuery, status: 200, response: pageOf(NotebookSchema) }),
  getNotebook: route({ method: 'GET', path: '/notebooks/{id}', group: 'notebooks', summary: 'One notebook', auth: true, params: NotebookIdParams, status: 200, response: NotebookSchema }),
  patchNotebook: route({ method: 'PATCH', path: '/notebooks/{id}', group: 'notebooks', summary: 'Edit title, description, tags, group, visibility', auth: true, params: NotebookIdParams, body: PatchNotebookBody, status: 200, response: NotebookSchema }),
  archiveNotebook: route({ method: 'DELETE', path: '/notebooks/{id}', group: 'notebooks', summary: 'Archive a notebook (hidden from lists; versions kept for owner and admins)', auth: true, params: NotebookIdParams, status: 200, response: NotebookSchema }),
  createUpload: route({ method: 'POST', path: '/notebooks/{id}/uploads', group: 'notebooks', summary: 'A presigned PUT for the next version’s body', auth: true, params: NotebookIdParams, status: 201, response: Upload }),
  commitVersion: route({ method: 'POST', path: '/notebooks/{id}/versions', group: 'notebooks', summary: 'Commit inline content or an uploaded body as the next version', auth: true, params: NotebookIdParams, body: CommitVersionBody, status: 201, response: VersionSchema }),
  listVersions: route({ method: 'GET', path: '/notebooks/{id}/versions', group: 'notebooks', summary: 'Versions, oldest first', auth: true, params: NotebookIdParams, query: PageQuery, status: 200, response: pageOf(VersionSchema) }),
  getVersion: route({ method: 'GET', path: '/notebooks/{id}/versions/{v}', group: 'notebooks', summary: 'One version with a presigned download URL', auth: true, params: VersionParams, status: 200, response: VersionSchema.extend({ download: PresignedSchema }) }),
  renderVersion: route({ method: 'GET', path: '/notebooks/{id}/versions/{v}/html', group: 'notebooks', summary: 'One version rendered to sanitized HTML', auth: true, params: VersionParams, status: 200, produces: 'text/html' }),
  getParameters: route({ method: 'GET', path: '/notebooks/{id}/parameters', group: 'notebooks', summary: 'Parameters inferred from a version (latest by default)', auth: true, params: NotebookIdParams, query: VersionQuery, status: 200, response: ParametersSchema.extend({ version: z.number() }) }),
  startRun: route({ method: 'POST', path: '/notebooks/{id}/runs', group: 'runs', summary: 'Run a version with parameters (papermill semantics); 202 with the run', auth: true, params: NotebookIdParams, body: StartRunBody, exactNumbersIn: 'parameters', status: 202, response: RunSchema }),
  listRuns: route({ method: 'GET', path: '/runs', group: 'runs', summary: 'Runs by notebook, owner (yours by default) or status, newest first', auth: true, query: ListRunsQuery, status: 200, response: pageOf(RunSchema) }),
  getRun: route({ method: 'GET', path: '/runs/{id}', group: 'runs', summary: 'One run: status, times, parameters, failing cell, output links', auth: true, params: RunIdParams, status: 200, response: RunSchema }),
  cancelRun: route({ method: 'POST', path: '/runs/{id}/cancel', group: 'runs', summary: 'Stop a run; it ends STOPPED with its partial output', auth: true, params: RunIdParams, status: 202, response: RunSchema }),
  rerunRun: route({ method: 'POST', path: '/runs/{id}/rerun', group: 'runs', summary: 'Run again with the same inputs and optional overrides', auth: true, params: RunIdParams, body: RerunBody, exactNumbersIn: 'parameters', status: 202, response: RunSchema }),
  getRunOutput: route({ method: 'GET', path: '/runs/{id}/output', group: 'runs', summary: 'A presigned download of the output notebook', auth: true, params: RunIdParams, status: 200, response: PresignedSchema }),
  renderRunOutput: route({ method: 'GET', path: '/runs/{id}/output/html', group: 'runs', summary: 'The output notebook rendered to sanitized HTML', auth: true, params: RunIdParams, status: 200, produces: 'text/html' }),
};

/** The name of a route in API_ROUTES. */
export type RouteName = keyof typeof API_ROUTES;
