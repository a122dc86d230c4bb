import type { Run, RunStatus } from '../domain/run.ts';

/** Where run listings read from; each is one Query, newest first. */
export type RunSource =
  | { kind: 'owner'; owner: string }
  | { kind: 'notebook'; notebookId: string }
  | { kind: 'status'; status: RunStatus };

/** Changes to a run's record as it moves. */
export type RunChanges = Partial<
  Pick<
    Run,
    | 'status'
    | 'startedAt'
    | 'endedAt'
    | 'durationSeconds'
    | 'error'
    | 'hasOutput'
    | 'outputTruncated'
    | 'stopRequestedBy'
    | 'runTokenHash'
  >
> & {
  updatedAt: string;
};

/** Runs and idempotency keys. */
export interface RunStore {
  /** Records a new run; ConflictError if the id exists. */
  createRun(run: Run): Promise<void>;
  /** One run, or null. */
  getRun(id: string): Promise<Run | null>;
  /** Applies changes if the run is in one of `from`; returns the run as now stored, or null when it was not. */
  moveRun(id: string, from: RunStatus[], changes: RunChanges): Promise<Run | null>;
  /** One page of a listing source: runs whose listing key is below `before`. */
  listRuns(source: RunSource, page: { before?: string; limit: number }): Promise<{ items: Run[]; next?: string }>;
  /** How many runs now in `status` were created at or after `since`: a count-only Query on the status listing. */
  countRuns(status: RunStatus, since: string): Promise<number>;
  /**
   * Claims an idempotency key for a run id. Returns the run id that owns the key: the given one when
   * this call claimed it (or the earlier claim expired), else the earlier one.
   */
  claimIdempotencyKey(scope: string, key: string, runId: string, now: string, expiresAt: string): Promise<string>;
  /** Gives a key back when the run it was claimed for could not be recorded; a key held by another run stays. */
  releaseIdempotencyKey(scope: string, key: string, runId: string): Promise<void>;
}
