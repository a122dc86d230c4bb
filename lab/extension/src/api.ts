import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

// The extension's only way to Orrery: the Jupyter server's own routes under <base_url>orrery/ (lab/orrery_lab/
// handlers.py), which call Orrery with the server token. Jupyter's session and XSRF token go with each request.

/** The server record, as GET /servers/{name}/lab/server answers (the fields the extension reads). */
export interface ServerRecord {
  name: string;
  status: string;
  role: string | null;
  reason?: string | null;
  cullWarning: { reason: string; warnedAt: string; stopsAt: string } | null;
}

/** The server's keys as the credentials sidecar reports them (never the keys), or why there are none. */
export interface CredentialsStatus {
  role: string | null;
  account?: string | null;
  expiration?: string;
  secondsLeft?: number;
  message?: string;
}

/** A role the owner holds. */
export interface Role {
  name: string;
  account: string;
  environment: string;
  description?: string;
}

/** A Folium notebook (the fields shown). */
export interface FoliumNotebook {
  id: string;
  title: string;
  tags: string[];
  owner: string;
  latestVersion: number;
  updatedAt: string;
}

/** One version of a Folium notebook. */
export interface FoliumVersion {
  notebookId: string;
  version: number;
  author: string;
  message: string;
  createdAt: string;
}

/** A code template filled in for one table. */
export interface TableTemplate {
  id: string;
  label: string;
  language: 'python' | 'sql';
  code: string;
}

/** A table the server's role can see. */
export interface DataTable {
  catalog: 'sqlite' | 'glue';
  database: string;
  name: string;
  columns: { name: string; type: string }[];
  location?: string;
  templates: TableTemplate[];
}

/** What the Jupyter server knows about Orrery. */
export interface OrreryConfig {
  configured: boolean;
  missing: string[];
  serverName: string | null;
  portalUrl: string | null;
  credentials: boolean;
}

/** A page of a list. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** An answer that is not a success, with the message the handler wrote for a person. */
export class OrreryRequestError extends Error {
  /** The HTTP status. */
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const NETWORK_MESSAGE = 'The Jupyter server did not answer: it may have stopped. Reload the page to check.';

/** Calls <base_url>orrery/<path> with a JSON body; throws OrreryRequestError with a readable message. */
export const orrery = async <T>(path: string, method = 'GET', body?: unknown): Promise<T> => {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'orrery', path);
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch {
    throw new OrreryRequestError(0, NETWORK_MESSAGE);
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const told = (data as { message?: unknown } | null)?.message;
    const message = typeof told === 'string' && told ? told : `The Jupyter server answered ${response.status}.`;
    throw new OrreryRequestError(response.status, message);
  }
  return data as T;
};

/** A message for any error: ours as written, anything else with its text. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The portal link of a notebook (or its run form), or null when the portal's address is unknown. */
export const portalLink = (config: OrreryConfig | null, notebookId: string, run = false): string | null =>
  config?.portalUrl ? `${config.portalUrl}/notebooks/${encodeURIComponent(notebookId)}${run ? '/run' : ''}` : null;
