import { canRead, type Notebook } from './notebook.ts';
import { tokenDigest } from './token-digest.ts';
import type { StoredTypedValue } from './typed-values.ts';
import type { User } from './user.ts';

/** Run states, named as jupyter-scheduler names them. */
export type RunStatus = 'CREATED' | 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'STOPPING' | 'STOPPED';

/** The states a run never leaves. */
export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['COMPLETED', 'FAILED', 'STOPPED']);

/** Every status, for validation and listing. */
export const RUN_STATUSES: readonly RunStatus[] = [
  'CREATED',
  'QUEUED',
  'IN_PROGRESS',
  'COMPLETED',
  'FAILED',
  'STOPPING',
  'STOPPED',
];

// A run moves forward only; STOPPING may still end as COMPLETED or FAILED when the runner finished first.
const NEXT: Record<RunStatus, RunStatus[]> = {
  CREATED: ['QUEUED', 'IN_PROGRESS', 'STOPPING', 'STOPPED', 'FAILED'],
  QUEUED: ['IN_PROGRESS', 'STOPPING', 'STOPPED', 'FAILED', 'COMPLETED'],
  IN_PROGRESS: ['STOPPING', 'STOPPED', 'FAILED', 'COMPLETED'],
  STOPPING: ['STOPPED', 'FAILED', 'COMPLETED'],
  COMPLETED: [],
  FAILED: [],
  STOPPED: [],
};

/** May a run go from one status to another? */
export const canMove = (from: RunStatus, to: RunStatus): boolean => NEXT[from].includes(to);

/** The statuses a run may be in when it moves to `to`. */
export const statusesBefore = (to: RunStatus): RunStatus[] => RUN_STATUSES.filter((s) => canMove(s, to));

/** Where a run failed: the first failing cell, or why there was none. */
export interface RunError {
  reason: string;
  cellIndex: number | null;
  ename: string | null;
  evalue: string | null;
  traceback: string[];
}

/** One execution of one notebook version with parameters. */
export interface Run {
  id: string;
  notebookId: string;
  /**
   * The notebook's title when the run was started, kept like a papermill output's name: a rename later does not change
   * it.
   */
  notebookTitle: string;
  version: number;
  owner: string;
  notebookOwner: string;
  language: string;
  /** The exact values it ran with, as JSON (big ints as decimal strings, NaN and infinities as strings). */
  parameters: Record<string, unknown>;
  /** The same values with their exact types, for injection (see typed-values.ts). */
  typedParameters: Record<string, StoredTypedValue>;
  profile: string;
  timeoutSeconds: number;
  /** Longest any one cell may take; null for no limit but the run's. */
  cellTimeoutSeconds: number | null;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  error: RunError | null;
  idempotencyKey: string | null;
  rerunOf: string | null;
  /** Storage keys the server made: the parameterized input and the output notebook. */
  inputKey: string;
  outputKey: string;
  hasOutput: boolean;
  /** The runner cut or dropped outputs past its caps: the output notebook says where, with "output truncated". */
  outputTruncated: boolean;
  stopRequestedBy: string | null;
  /** The AWS role (the registry's name) whose credentials the run's kernel gets; null for none. */
  role: string | null;
  /**
   * The team the role's sessions are tagged with, decided at start from the starter's teams (a run has no caller
   * later to read them from); the role must still name it, or hold the owner otherwise, when keys are issued.
   */
  roleTeam: string | null;
  /** sha256 of the run token the runner fetches the role's keys with; null until the run is prepared. */
  runTokenHash: string | null;
  /** The schedule that started it, with the due time it ran for (and which retry); absent for runs started by hand. */
  scheduleId?: string | null;
  dueAt?: string | null;
  attempt?: number;
}

/**
 * Who may start a run of a notebook: whoever may read it (its owner, admins, its team for a team notebook, anyone
 * for an org one), as themselves; an archived notebook runs for no one.
 */
export const canStartRun = (user: User, nb: Notebook): boolean => !nb.archived && canRead(user, nb);

/**
 * Who may read a run (its parameters, results and output): who started it, the notebook's owner and admins.
 * A notebook's visibility lets others read and run it, never read other people's runs of it.
 */
export const canReadRun = (user: User, run: Pick<Run, 'owner' | 'notebookOwner'>): boolean =>
  user.admin || run.owner === user.id || run.notebookOwner === user.id;

/** Sort key of run listings: newest first. */
export const runListingKey = (run: Pick<Run, 'createdAt' | 'id'>): string => `${run.createdAt}#${run.id}`;

/** The hash a run's token is stored as; the token itself only ever goes to the runner. */
export const hashRunToken = tokenDigest;
