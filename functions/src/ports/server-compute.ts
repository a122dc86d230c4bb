import type { ServerObservation } from '../domain/launch.ts';
import type { HomeVolume, Pool, Resources } from '../domain/profile.ts';

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
  /** The server's persistent home, made on its first launch and mounted again by every later one. */
  home: HomeVolume;
  /** The portal's base URL (no trailing slash), for JupyterLab's links to it; empty when unknown. */
  portalUrl: string;
  /** The profile lets the server start Spark (its kernel is the driver): on EKS its pod gets the driver's account. */
  spark?: boolean;
}

/** One server's home as the backend holds it: a PersistentVolumeClaim on EKS, a folder locally. */
export interface HomeUsage {
  serverId: string;
  /** From the volume's annotations (EKS) or absent (locally: the server record says). */
  owner?: string;
  name?: string;
  /** Bytes: the claim's requested size (what EBS bills), or the folder's files. */
  size: number;
  /** The storage class, or `local-folder`. */
  storageClass: string;
  /** Where it lives: the claim's name or the folder's path. */
  location: string;
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
  /** Deletes the pod (or process tree), its Service and token; harmless when they are gone. The home stays. */
  remove(serverId: string): Promise<void>;
  /** Deletes the server's home (its volume, or its folder) for good; harmless when it is gone. */
  deleteHome(serverId: string): Promise<void>;
  /** Every server home the backend holds, for the admins' list of unused volumes. */
  listHomes(): Promise<HomeUsage[]>;
  /** Where a server's files stay between launches, in words for its owner (the cull notice). */
  describeHome(serverId: string): Promise<string>;
  /** Stops the Spark applications a server started; returns their names. */
  stopSparkApplications(serverId: string): Promise<string[]>;
}
