import type { SparkSession } from '../domain/spark-session.ts';

/** Changes when a session stops. */
export type SparkSessionStop = Required<Pick<SparkSession, 'stoppedAt' | 'stopReason' | 'costSoFarUsd'>>;

/** Spark session records: by id, by server, by owner, the active ones, and all (admins). */
export interface SparkSessionStore {
  /** Records a new session; ConflictError when the id exists. */
  putSession(session: SparkSession): Promise<void>;
  /** One session, or null. */
  getSession(id: string): Promise<SparkSession | null>;
  /** A server's sessions (every launch), newest first: one Query. */
  listByServer(serverId: string): Promise<SparkSession[]>;
  /** A user's sessions, newest first, paged. */
  listByOwner(
    owner: string,
    page: { after?: string; limit: number },
  ): Promise<{ items: SparkSession[]; next?: string }>;
  /** Every session, newest first, paged (admins). */
  listAll(page: { after?: string; limit: number }): Promise<{ items: SparkSession[]; next?: string }>;
  /** Every ACTIVE session, oldest first: one Query on a sparse index (the culler's). */
  listActive(): Promise<SparkSession[]>;
  /** Marks it STOPPED if it is ACTIVE; the record as now stored, or null when it was not active. */
  stopSession(id: string, stop: SparkSessionStop): Promise<SparkSession | null>;
}
