import type { CullReason, Server, ServerStatus } from '../domain/server.ts';

/** Changes to a server record; `null` removes an optional field (the cull index key, a warning). */
export type ServerChanges = {
  [K in keyof Server]?: undefined extends Server[K] ? Server[K] | null : Server[K];
} & { updatedAt: string };

/** What a conditional change expects besides the status: the same launch, the activity or cull check it read. */
export type ServerExpectation = Partial<Pick<Server, 'launchId' | 'lastActivity' | 'cullCheckAt'>>;

/** What the culler did to one server, and why. */
export interface CullRecord {
  id: string;
  at: string;
  serverId: string;
  owner: string;
  name: string;
  profile: string;
  /** Why: a server's cull reason, or `spark-max-age` for a Spark session past its maximum age (server kept). */
  reason: CullReason | 'spark-max-age';
  lastActivity: string;
  startedAt?: string;
  hourlyPrice: number;
  sparkApplications: string[];
  /** The Spark sessions this cull stopped, with what each cost at most; absent when none. */
  sparkSessions?: Array<{ id: string; appName: string; costSoFarUsd: number }>;
}

/** One slot of a user's server limit and the server holding it. */
export interface ServerSlot {
  slot: number;
  holder: string;
  takenAt: string;
}

/** Server records, the per-user slots that enforce the limit, and the cull log. */
export interface ServerStore {
  /** Records a launch; ConflictError when the server exists and is not STOPPED or FAILED. */
  putServer(server: Server): Promise<void>;
  /** One server by id (the id is derived from owner and name), or null. */
  getServer(id: string): Promise<Server | null>;
  /** A user's servers, by name. */
  listServers(owner: string): Promise<Server[]>;
  /** Applies changes if the status is one of `from` and the expectation holds; the record as now stored, or null. */
  moveServer(
    id: string,
    from: readonly ServerStatus[],
    changes: ServerChanges,
    expect?: ServerExpectation,
  ): Promise<Server | null>;
  /**
   * Deletes a server's record if its status is one of `from` and its launch is still `launchId`; false when it is
   * gone or moved on (relaunched meanwhile).
   */
  deleteServer(id: string, from: readonly ServerStatus[], launchId: string): Promise<boolean>;
  /** Servers whose cull check is due (`cullCheckAt` ≤ `due`), earliest first: one Query on a sparse index. */
  listCullCandidates(
    due: string,
    page: { after?: string; limit: number },
  ): Promise<{ items: Server[]; next?: string; itemsRead: number }>;
  /**
   * Every PENDING, RUNNING or STOPPING server, by cull check: one paged Query on the sparse cull index, which holds
   * exactly those.
   */
  listActiveServers(): Promise<Server[]>;
  /** The slots a user holds. */
  listSlots(owner: string): Promise<ServerSlot[]>;
  /** Takes a free slot (or one held by `replacing`); false when someone else holds it. */
  takeSlot(owner: string, slot: number, holder: string, takenAt: string, replacing?: string): Promise<boolean>;
  /** Gives a slot back if `holder` still holds it. */
  releaseSlot(owner: string, slot: number, holder: string): Promise<void>;
  /** Adds to the cull log. */
  recordCull(cull: CullRecord): Promise<void>;
  /** The cull log, newest first. */
  listCulls(page: { before?: string; limit: number }): Promise<{ items: CullRecord[]; next?: string }>;
}
