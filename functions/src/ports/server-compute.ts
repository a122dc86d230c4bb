import type { ServerObservation } from '../domain/launch.ts';
import type { Pool, Resources } from '../domain/profile.ts';

/** Everything a backend needs to start one server: who, what, where, and how it reports back. */
export interface ServerLaunchSpec {
  serverId: string;
  owner: string;
  name: string;
  launchId: string;
  profile: string;
  resources: Resources;
  pool: Pool;
  /** Jupyter's base URL path, `/user/<owner>/<name>/`, as JupyterHub serves single-user servers. */
  basePath: string;
  /** Where the activity reporter posts: `<api>/servers/<name>/activity`. */
  activityUrl: string;
  /** The API's base URL, which the credentials sidecar asks for keys (`<api>/servers/<name>/credentials`). */
  apiUrl: string;
  /** The portal's base URL (no trailing slash), for JupyterLab's links to it; empty when unknown. */
  portalUrl: string;
}

/** Where servers run: pods and Services on EKS, or `jupyter server` processes locally. */
export interface ServerCompute {
  /**
   * Keeps the server's token where only its pod or process can read it (a Secret, a 0600 file), and the credentials
   * token where only its credentials sidecar can (a Secret key mounted in the sidecar alone, the sidecar's
   * environment).
   */
  putToken(serverId: string, token: string, credentialsToken: string): Promise<void>;
  /** Creates the pod (or process) and its Service; a second call for the same launch is harmless. */
  create(spec: ServerLaunchSpec): Promise<void>;
  /** What the pod or process is doing now. */
  observe(serverId: string): Promise<ServerObservation>;
  /** Deletes the pod (or process tree), its Service and token; harmless when they are gone. */
  remove(serverId: string): Promise<void>;
  /** Stops the Spark applications a server started; returns their names. */
  stopSparkApplications(serverId: string): Promise<string[]>;
}
