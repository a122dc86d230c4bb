import type { z } from 'zod';
import type {
  API_ROUTES,
  CredentialIssueSchema,
  CullSchema,
  IssuedCredentialsSchema,
  NotebookSchema,
  PresignedSchema,
  ProfileSchema,
  RoleSchema,
  RunSchema,
  ServerSchema,
  SparkPreviewSchema,
  SparkSessionSchema,
  UsageSchema,
  VersionSchema,
} from '#functions/contracts';

// Type-only imports: nothing from functions/ reaches the bundle. Requests and responses are typed from the
// very schemas that validate and document them.
type Routes = typeof API_ROUTES;
type ResponseOf<K extends keyof Routes> = z.infer<NonNullable<Routes[K]['response']>>;
type BodyOf<K extends keyof Routes> = z.input<NonNullable<Routes[K]['body']>>;
type QueryOf<K extends keyof Routes> = {
  [P in keyof z.input<NonNullable<Routes[K]['query']>>]?: z.input<NonNullable<Routes[K]['query']>>[P] | number;
};

/** A page of a list: `nextCursor` is opaque and null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
/** A notebook as the API returns it. */
export type Notebook = z.infer<typeof NotebookSchema>;
/** One version of a notebook. */
export type Version = z.infer<typeof VersionSchema>;
/** A presigned request straight to storage. */
export type Presigned = z.infer<typeof PresignedSchema>;
/** A presigned upload form for a notebook body (fields, then the file), committed later by its id. */
export type Upload = ResponseOf<'createUpload'>;
/** Parameters inferred from a version. */
export type Parameters = ResponseOf<'getParameters'>;
/** One inferred parameter. */
export type Parameter = Parameters['parameters'][number];
/** A run as the API returns it. */
export type Run = z.infer<typeof RunSchema>;
/** A run status (CREATED … STOPPED). */
export type RunStatus = Run['status'];
/** A server profile with its resources and hourly price. */
export type Profile = z.infer<typeof ProfileSchema>;
/** A named server. */
export type Server = z.infer<typeof ServerSchema>;
/** One spawn progress event. */
export type ProgressEvent = NonNullable<Server['progress']>;
/** One entry of the cull log. */
export type Cull = z.infer<typeof CullSchema>;
/** GET /admin/usage. */
export type Usage = z.infer<typeof UsageSchema>;
/** GET /admin/volumes: homes of servers unused for the configured days, with size and monthly cost. */
export type UnusedVolumes = ResponseOf<'listUnusedVolumes'>;
/** An AWS role the caller may assume (GET /credentials/roles). */
export type Role = z.infer<typeof RoleSchema>;
/** Temporary AWS keys (POST /credentials): shown once, never stored. */
export type IssuedCredentials = z.infer<typeof IssuedCredentialsSchema>;
/** One entry of the credential log (no keys). */
export type CredentialIssue = z.infer<typeof CredentialIssueSchema>;
/** GET /me: the caller, their teams, admin flag and entitlements. */
export type Me = ResponseOf<'me'>;
/** POST /spark/preview: the conf, executors and cost a Spark session would get; nothing starts. */
export type SparkPreview = z.infer<typeof SparkPreviewSchema>;
/** A Spark session started from a server's notebook (its driver), with links and estimated cost. */
export type SparkSession = z.infer<typeof SparkSessionSchema>;
/** GET /admin/usage's Spark part: sessions active now, and cost by team over the last day's and the active ones. */
export type SparkUsage = Usage['spark'];
/** A schedule: a notebook rerun on a calendar, with its next due times (and, from GET /schedules/{id}, its fires). */
export type Schedule = ResponseOf<'getSchedule'>;
/** One due time of a schedule: where it came from, what it did, and its run. */
export type Fire = ResponseOf<'triggerSchedule'>;
/** GET /schedules/preview: the next due times of an expression in a zone. */
export type SchedulePreview = ResponseOf<'previewSchedule'>;
/** Request bodies and queries, typed from the route table. */
export type CreateNotebookBody = BodyOf<'createNotebook'>;
export type PatchNotebookBody = BodyOf<'patchNotebook'>;
export type CommitVersionBody = BodyOf<'commitVersion'>;
export type StartRunBody = BodyOf<'startRun'>;
export type RerunBody = BodyOf<'rerunRun'>;
export type LaunchServerBody = BodyOf<'launchServer'>;
export type SetServerRoleBody = BodyOf<'setServerRole'>;
export type IssueCredentialsBody = BodyOf<'issueCredentials'>;
export type ListNotebooksQuery = QueryOf<'listNotebooks'>;
export type ListRunsQuery = QueryOf<'listRuns'>;
export type SparkPreviewBody = BodyOf<'previewSpark'>;
export type ListSparkSessionsQuery = QueryOf<'listSparkSessions'>;
export type PageQuery = QueryOf<'listVersions'>;
export type CreateScheduleBody = BodyOf<'createSchedule'>;
export type UpdateScheduleBody = BodyOf<'updateSchedule'>;
export type ListSchedulesQuery = QueryOf<'listSchedules'>;
export type PreviewScheduleQuery = QueryOf<'previewSchedule'>;

/** The runtime settings written at deploy time and served as `/config.json`. */
export interface PortalConfig {
  apiUrl: string;
  auth: LocalAuthConfig | OidcAuthConfig;
}
/** Local mode: the one-time login link or a pasted token. */
export interface LocalAuthConfig {
  mode: 'local';
}
/** The cloud: authorization code with PKCE at an OIDC issuer (Cognito or the company's IdP). */
export interface OidcAuthConfig {
  mode: 'oidc';
  issuer: string;
  clientId: string;
  scope?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  logoutEndpoint?: string;
}

/** An error answer of the API (`{ error, message, requestId }`), or a network failure (status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null = null,
    /** The API's per-field problems of a 400 (`path` like `parameters.days` or `body.profile`). */
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** What an ApiClient needs: where the API is, the bearer token, and what to do when it is refused. */
export interface ApiClientOptions {
  apiUrl: string;
  getToken: () => string | null;
  onUnauthorized: () => void;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined | null>;
interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  body?: unknown;
  accept?: string;
  /** Cancels the request (a page that moved on); the call then rejects with the AbortError itself. */
  signal?: AbortSignal;
}

const seg = (value: string | number) => encodeURIComponent(String(value));

/** The typed client of the HTTP API: one method per route of the route table; the only code that knows API URLs. */
export class ApiClient {
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  me = () => this.json<Me>('/me');
  listNotebooks = (query: ListNotebooksQuery = {}) => this.json<Page<Notebook>>('/notebooks', { query });
  createNotebook = (body: CreateNotebookBody) =>
    this.json<ResponseOf<'createNotebook'>>('/notebooks', { method: 'POST', body });
  getNotebook = (id: string) => this.json<Notebook>(`/notebooks/${seg(id)}`);
  patchNotebook = (id: string, patch: PatchNotebookBody) =>
    this.json<Notebook>(`/notebooks/${seg(id)}`, { method: 'PATCH', body: patch });
  archiveNotebook = (id: string) => this.json<Notebook>(`/notebooks/${seg(id)}`, { method: 'DELETE' });
  createUpload = (id: string) => this.json<Upload>(`/notebooks/${seg(id)}/uploads`, { method: 'POST' });
  commitVersion = (id: string, body: CommitVersionBody) =>
    this.json<Version>(`/notebooks/${seg(id)}/versions`, { method: 'POST', body });
  listVersions = (id: string, page: PageQuery = {}) =>
    this.json<Page<Version>>(`/notebooks/${seg(id)}/versions`, { query: page });
  getVersion = (id: string, v: number) =>
    this.json<ResponseOf<'getVersion'>>(`/notebooks/${seg(id)}/versions/${seg(v)}`);
  renderVersion = (id: string, v: number, signal?: AbortSignal) =>
    this.text(`/notebooks/${seg(id)}/versions/${seg(v)}/html`, { accept: 'text/html', signal });
  getParameters = (id: string, version?: number) =>
    this.json<Parameters>(`/notebooks/${seg(id)}/parameters`, { query: { version } });
  startRun = (id: string, body: StartRunBody) => this.json<Run>(`/notebooks/${seg(id)}/runs`, { method: 'POST', body });
  listRuns = (query: ListRunsQuery = {}) => this.json<Page<Run>>('/runs', { query });
  getRun = (id: string) => this.json<Run>(`/runs/${seg(id)}`);
  cancelRun = (id: string) => this.json<Run>(`/runs/${seg(id)}/cancel`, { method: 'POST' });
  rerunRun = (id: string, body: RerunBody) => this.json<Run>(`/runs/${seg(id)}/rerun`, { method: 'POST', body });
  getRunOutput = (id: string) => this.json<Presigned>(`/runs/${seg(id)}/output`);
  renderRunOutput = (id: string, signal?: AbortSignal) =>
    this.text(`/runs/${seg(id)}/output/html`, { accept: 'text/html', signal });
  createSchedule = (notebookId: string, body: CreateScheduleBody) =>
    this.json<Schedule>(`/notebooks/${seg(notebookId)}/schedules`, { method: 'POST', body });
  listSchedules = (query: ListSchedulesQuery = {}) => this.json<Page<Schedule>>('/schedules', { query });
  previewSchedule = (query: PreviewScheduleQuery, signal?: AbortSignal) =>
    this.json<SchedulePreview>('/schedules/preview', { query, signal });
  getSchedule = (id: string) => this.json<Schedule>(`/schedules/${seg(id)}`);
  listNotifyDestinations = () => this.json<ResponseOf<'listNotifyDestinations'>>('/schedules/destinations');
  updateSchedule = (id: string, body: UpdateScheduleBody) =>
    this.json<Schedule>(`/schedules/${seg(id)}`, { method: 'PATCH', body });
  deleteSchedule = (id: string) =>
    this.json<ResponseOf<'deleteSchedule'>>(`/schedules/${seg(id)}`, { method: 'DELETE' });
  triggerSchedule = (id: string) => this.json<Fire>(`/schedules/${seg(id)}/trigger`, { method: 'POST' });
  listProfiles = () => this.json<{ items: Profile[] }>('/profiles');
  launchServer = (body: LaunchServerBody) =>
    this.json<ResponseOf<'launchServer'>>('/servers', { method: 'POST', body });
  listServers = () => this.json<{ items: Server[] }>('/servers');
  getServer = (name: string) => this.json<Server>(`/servers/${seg(name)}`);
  stopServer = (name: string) => this.json<Server>(`/servers/${seg(name)}`, { method: 'DELETE' });
  deleteServer = (name: string) =>
    this.json<Server>(`/servers/${seg(name)}`, { method: 'DELETE', query: { remove: 'true' } });
  setServerRole = (name: string, body: SetServerRoleBody) =>
    this.json<Server>(`/servers/${seg(name)}/role`, { method: 'PUT', body });
  keepServerAlive = (name: string) => this.json<Server>(`/servers/${seg(name)}/keepalive`, { method: 'POST' });
  previewSpark = (body: SparkPreviewBody, signal?: AbortSignal) =>
    this.json<ResponseOf<'previewSpark'>>('/spark/preview', { method: 'POST', body, signal });
  listSparkSessions = (query: ListSparkSessionsQuery = {}, signal?: AbortSignal) =>
    this.json<Page<SparkSession>>('/spark/sessions', { query, signal });
  stopSparkSession = (id: string) =>
    this.json<ResponseOf<'stopSparkSession'>>(`/spark/sessions/${seg(id)}`, { method: 'DELETE' });
  adminUsage = () => this.json<Usage>('/admin/usage');
  listCulls = (query: PageQuery = {}) => this.json<Page<Cull>>('/admin/culls', { query });
  listUnusedVolumes = () => this.json<UnusedVolumes>('/admin/volumes');
  listRoles = () => this.json<{ items: Role[] }>('/credentials/roles');
  issueCredentials = (body: IssueCredentialsBody) =>
    this.json<IssuedCredentials>('/credentials', { method: 'POST', body });
  listCredentialLog = (query: PageQuery = {}) => this.json<Page<CredentialIssue>>('/credentials/log', { query });
  listAllCredentials = (query: PageQuery = {}) => this.json<Page<CredentialIssue>>('/admin/credentials', { query });

  /** POSTs a file to a presigned upload form (the one call outside the API); see the module function of that name. */
  uploadBody = (
    upload: Upload,
    file: Blob,
    onProgress: (fraction: number) => void,
    signal?: AbortSignal,
  ): Promise<void> => uploadBody(upload, file, onProgress, signal);

  /** One batch of spawn progress after event `after`; the server holds the answer up to ~10 s when nothing is new. */
  serverProgress = async (name: string, after?: number): Promise<{ events: ProgressEvent[]; done: boolean }> => {
    const text = await this.text(`/servers/${seg(name)}/progress`, { query: { after }, accept: 'text/event-stream' });
    return parseProgressBatch(text);
  };

  private async json<T>(path: string, call: Call = {}): Promise<T> {
    const res = await this.send(path, { ...call, accept: 'application/json' });
    try {
      return (await res.json()) as T;
    } catch {
      // A 2xx that is not JSON (a proxy's or CDN's page): say so, as every other failure is said.
      throw new ApiError(
        res.status,
        'bad_response',
        `The API answered ${res.status} with something that is not JSON; ` +
          'try again, and if it persists tell your platform team.',
        res.headers.get('x-request-id'),
      );
    }
  }

  private async text(path: string, call: Call = {}): Promise<string> {
    return (await this.send(path, call)).text();
  }

  private async send(path: string, call: Call): Promise<Response> {
    const headers: Record<string, string> = { accept: call.accept ?? 'application/json' };
    const token = this.options.getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(apiPath(this.options.apiUrl, path, call.query), {
        method: call.method ?? 'GET',
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: call.signal,
      });
    } catch (err) {
      if (call.signal?.aborted) throw err;
      throw new ApiError(
        0,
        'network',
        `Could not reach the API (${err instanceof Error ? err.message : String(err)}).`,
      );
    }
    if (res.ok) return res;
    const error = await errorOf(res);
    if (res.status === 401) this.options.onUnauthorized();
    throw error;
  }
}

/** The URL of an API path with its query (undefined, null and empty values left out). */
export const apiPath = (apiUrl: string, path: string, query: Query = {}): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return `${apiUrl.replace(/\/+$/, '')}${path}${qs ? `?${qs}` : ''}`;
};

const errorOf = async (res: Response): Promise<ApiError> => {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; requestId?: unknown; details?: unknown };
    if (typeof body.message === 'string') {
      const details = Array.isArray(body.details)
        ? body.details.filter(
            (d): d is { path: string; message: string } =>
              typeof d?.path === 'string' && typeof d?.message === 'string',
          )
        : [];
      return new ApiError(
        res.status,
        typeof body.error === 'string' ? body.error : `http_${res.status}`,
        body.message,
        typeof body.requestId === 'string' ? body.requestId : null,
        details,
      );
    }
  } catch {
    // Not the API's JSON (a proxy's page, an empty body): fall through to the status line.
  }
  return new ApiError(
    res.status,
    `http_${res.status}`,
    `The API answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`,
    res.headers.get('x-request-id'),
  );
};

/**
 * Parses one batch of server-sent events (`id:`/`data:` blocks). `done` when an event is ready or failed,
 * or when the server tells EventSource to wait a minute before asking again (it does so once the launch is over).
 */
export const parseProgressBatch = (text: string): { events: ProgressEvent[]; done: boolean } => {
  const events: ProgressEvent[] = [];
  let retry: number | null = null;
  for (const block of text.replace(/\r\n?/g, '\n').split('\n\n')) {
    const data: string[] = [];
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const field = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
    }
    if (data.length) events.push(JSON.parse(data.join('\n')) as ProgressEvent);
  }
  const done = events.some((e) => e.ready || e.failed) || (retry !== null && retry >= 60_000);
  return { events, done };
};

/** Reads `/config.json`, written at deploy time next to the portal. */
export const loadPortalConfig = async (
  fetchFn: typeof fetch = (i, init) => globalThis.fetch(i, init),
): Promise<PortalConfig> => {
  const res = await fetchFn('/config.json', { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) throw new ApiError(res.status, 'config', `The portal's /config.json could not be read (${res.status}).`);
  const config = (await res.json()) as PortalConfig;
  if (
    typeof config.apiUrl !== 'string' ||
    !config.auth ||
    (config.auth.mode !== 'local' && config.auth.mode !== 'oidc')
  ) {
    throw new ApiError(500, 'config', "The portal's /config.json lacks apiUrl or auth.mode.");
  }
  return config;
};

/** Local mode: spends the one-time code from the login link for a user id and a bearer token. */
export const exchangeLocalCode = async (
  code: string,
  fetchFn: typeof fetch = (i, init) => globalThis.fetch(i, init),
): Promise<{ user: string; token: string }> => {
  const res = await fetchFn('/auth/local/exchange', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ code }),
  });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as { user: string; token: string };
};

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

// Storage answers a refused form in XML; its code says whether the file was the problem.
const storageRefusal = (status: number, body: string, upload: Upload): ApiError => {
  const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? 'upload_failed';
  if (code === 'EntityTooLarge')
    return new ApiError(
      status,
      code,
      `Storage refused the file: it is over the ${megabytes(upload.maxBytes)} upload limit.`,
    );
  if (code === 'AccessDenied' && /expired/i.test(body))
    return new ApiError(status, code, 'The upload form expired; upload again.');
  return new ApiError(
    status,
    code,
    `Storage refused the upload (${status}${code === 'upload_failed' ? '' : ` ${code}`}).`,
  );
};

/**
 * POSTs a file to a presigned upload form: its fields as they are, then the file as the last part (storage
 * ignores what comes after it), reporting progress (XMLHttpRequest: fetch has no upload progress). A file over
 * the form's limit is refused here, before a byte is sent; storage would refuse it too.
 */
export const uploadBody = (
  upload: Upload,
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> =>
  new Promise((resolve, reject) => {
    if (file.size > upload.maxBytes) {
      reject(
        new ApiError(
          413,
          'too_large',
          `The file is ${megabytes(file.size)}; ` +
            `the largest notebook this platform takes is ${megabytes(upload.maxBytes)}.`,
        ),
      );
      return;
    }
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('file', file, 'notebook.ipynb');
    const xhr = new XMLHttpRequest();
    xhr.open('POST', upload.url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else reject(storageRefusal(xhr.status, xhr.responseText ?? '', upload));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload could not reach storage.'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
    if (signal) {
      if (signal.aborted) return xhr.abort();
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(form);
  });
