import type { SparkSession } from '../domain/spark-session.ts';

/** Changes when a session stops. */
export type SparkSessionStop = Required<Pick<SparkSession, 'stoppedAt' | 'stopReason' | 'costSoFarUsd'>>;

/** Which page of a listing: at most `limit`, after the opaque position `after` (a previous page's `next`). */
export type SparkSessionPage = { after?: string; limit: number };

/** One page of a listing; `next` (absent on the last page) is where the following page starts. */
export type SparkSessionPageOf = { items: SparkSession[]; next?: string };

/** Spark session records: by id, by server, by owner, the active ones, and all (admins). */
export interface SparkSessionStore {
  /** Records a new session; ConflictError when the id exists. */
  putSession(session: SparkSession): Promise<void>;
  /** One session, or null. */
  getSession(id: string): Promise<SparkSession | null>;
  /** A server's sessions (every launch, any status), newest first, paged: one Query a page. */
  listByServer(serverId: string, page: SparkSessionPage): Promise<SparkSessionPageOf>;
  /** A server's ACTIVE sessions, newest first, paged: one Query a page, reading no stopped session. */
  listActiveByServer(serverId: string, page: SparkSessionPage): Promise<SparkSessionPageOf>;
  /** A user's sessions, newest first, paged. */
  listByOwner(owner: string, page: SparkSessionPage): Promise<SparkSessionPageOf>;
  /** Every session, newest first, paged (admins). */
  listAll(page: SparkSessionPage): Promise<SparkSessionPageOf>;
  /** Every ACTIVE session, oldest first: one Query on a sparse index (the culler's). */
  listActive(): Promise<SparkSession[]>;
  /** Marks it STOPPED if it is ACTIVE; the record as now stored, or null when it was not active. */
  stopSession(id: string, stop: SparkSessionStop): Promise<SparkSession | null>;
}
