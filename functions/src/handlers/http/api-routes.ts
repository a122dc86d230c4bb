import * as z from 'zod';
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
import { ActivityBody, CullSchema, CullsQuery, LaunchServerBody, OwnerQuery, ProfileSchema, ProgressQuery, ServerNameParams, ServerSchema, UsageSchema } from './server-schemas.ts';

// A browser-form POST straight to storage, which refuses a file over maxBytes (a PUT could not be bounded).
const Upload = z.object({
  method: z.literal('POST'),
  url: z.string().describe('where to POST multipart/form-data'),
  fields: z.record(z.string(), z.string()).describe('form fields to send as they are, before the file'),
  maxBytes: z.number().describe('the largest file storage accepts through this form'),
  expiresAt: z.string(),
  uploadId: z.string().describe('names the upload in the commit (POST /notebooks/{id}/versions)'),
}).describe('send every field, then the file as the last part, named `file`');

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
    summary: 'Create a notebook; inline content becomes version 1, otherwise an upload form for it is returned',
    auth: true,
    body: CreateNotebookBody,
    status: 201,
    response: z.object({ notebook: NotebookSchema, version: VersionSchema.nullable(), upload: Upload.nullable() }),
  }),
  listNotebooks: route({ method: 'GET', path: '/notebooks', group: 'notebooks', summary: 'Notebooks you may see, newest first, filtered', auth: true, query: ListNotebooksQuery, status: 200, response: pageOf(NotebookSchema) }),
  getNotebook: route({ method: 'GET', path: '/notebooks/{id}', group: 'notebooks', summary: 'One notebook', auth: true, params: NotebookIdParams, status: 200, response: NotebookSchema }),
  patchNotebook: route({ method: 'PATCH', path: '/notebooks/{id}', group: 'notebooks', summary: 'Edit title, description, tags, group, visibility', auth: true, params: NotebookIdParams, body: PatchNotebookBody, status: 200, response: NotebookSchema }),
  archiveNotebook: route({ method: 'DELETE', path: '/notebooks/{id}', group: 'notebooks', summary: 'Archive a notebook (hidden from lists; versions kept for owner and admins)', auth: true, params: NotebookIdParams, status: 200, response: NotebookSchema }),
  createUpload: route({ method: 'POST', path: '/notebooks/{id}/uploads', group: 'notebooks', summary: 'A presigned form POST for the next version’s body, bounded by the upload limit', auth: true, params: NotebookIdParams, status: 201, response: Upload }),
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
  listProfiles: route({ method: 'GET', path: '/profiles', group: 'servers', summary: 'The profiles your teams may use, with resources and hourly price', auth: true, status: 200, response: z.object({ items: z.array(ProfileSchema) }) }),
  launchServer: route({
    method: 'POST',
    path: '/servers',
    group: 'servers',
    summary: 'Launch a named server (202); the server token in the answer is shown once: it opens Jupyter (`<url>lab?token=…`)',
    auth: true,
    body: LaunchServerBody,
    status: 202,
    response: z.object({ server: ServerSchema, token: z.string() }),
  }),
  listServers: route({ method: 'GET', path: '/servers', group: 'servers', summary: 'Your servers (admins may name an owner)', auth: true, query: OwnerQuery, status: 200, response: z.object({ items: z.array(ServerSchema) }) }),
  getServer: route({ method: 'GET', path: '/servers/{name}', group: 'servers', summary: 'One server: state, URL, profile, times, hourly price', auth: true, params: ServerNameParams, query: OwnerQuery, status: 200, response: ServerSchema }),
  stopServer: route({ method: 'DELETE', path: '/servers/{name}', group: 'servers', summary: 'Stop a server (launching or running); its pod or process and Spark applications go', auth: true, params: ServerNameParams, query: OwnerQuery, status: 200, response: ServerSchema }),
  serverProgress: route({
    method: 'GET',
    path: '/servers/{name}/progress',
    group: 'servers',
    summary: 'Spawn progress as server-sent events; each answer holds the events after Last-Event-ID (or `after`) and EventSource reconnects for the next',
    auth: true,
    params: ServerNameParams,
    query: ProgressQuery,
    status: 200,
    produces: 'text/event-stream',
  }),
  reportActivity: route({
    method: 'POST',
    path: '/servers/{name}/activity',
    group: 'servers',
    summary: 'Activity report from the server itself, with its server token (Authorization: token …)',
    auth: false,
    serverToken: true,
    params: ServerNameParams,
    body: ActivityBody,
    status: 200,
    response: z.object({ status: z.string(), lastActivity: z.string(), cullWarning: ServerSchema.shape.cullWarning }),
  }),
  keepServerAlive: route({ method: 'POST', path: '/servers/{name}/keepalive', group: 'servers', summary: 'Answer a cull warning: counts as activity now', auth: true, params: ServerNameParams, query: OwnerQuery, status: 200, response: ServerSchema }),
  adminUsage: route({ method: 'GET', path: '/admin/usage', group: 'admin', summary: 'Pools, active servers, their hourly cost and the last day of runs (admins)', auth: true, status: 200, response: UsageSchema }),
  listCulls: route({ method: 'GET', path: '/admin/culls', group: 'admin', summary: 'What the culler stopped and why, newest first (admins)', auth: true, query: CullsQuery, status: 200, response: pageOf(CullSchema) }),
};

/** The name of a route in API_ROUTES. */
export type RouteName = keyof typeof API_ROUTES;
