import type { SparkLinks, SparkPool, SparkSizing } from '../domain/spark-session.ts';

/** Everything a backend needs to place one session's executors. */
export interface SparkSessionSpec {
  sessionId: string;
  appId: string;
  serverId: string;
  serverName: string;
  owner: string;
  /** The server's URL path (`/user/<owner>/<name>/`), for the Spark UI link through its proxy. */
  basePath: string;
  /** The server's URL when known (absolute or absolute-path), else empty. */
  serverUrl: string;
  /** The role executors get keys for (through the credentials sidecar in their pod), if any. */
  role?: string;
  /** The API's base URL, which executors' credentials sidecar asks for keys. */
  apiUrl: string;
  pool: SparkPool;
  sizing: SparkSizing;
}

/** What placing a session gave: conf to add to the sizing's, the executor pod template, the UI link. */
export interface SparkPlacement {
  conf: Record<string, string>;
  podTemplate?: Record<string, unknown>;
  links: Pick<SparkLinks, 'ui'>;
}

/** Where Spark executors run: pods on EKS (the notebook is the driver), or inside the kernel locally. */
export interface SparkCompute {
  /** Makes what executors need (driver Service, …) and returns how to place them; a repeat is harmless. */
  startSession(spec: SparkSessionSpec): Promise<SparkPlacement>;
  /** Deletes the session's executors (by its label) and what `startSession` made; harmless when gone. */
  stopSession(serverId: string, sessionId: string): Promise<void>;
}
