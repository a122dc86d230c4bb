import { NotFoundError, PayloadTooLargeError } from '../domain/errors.ts';
import { TERMINAL_STATUSES, type Run, type RunError, type RunStatus } from '../domain/run.ts';
import { outputReadLimit } from '../domain/run-output.ts';
import type { FoliumDeps } from './folium-deps.ts';
import type { RunDeps } from './run-deps.ts';
import { causeText, type StepFailure } from './step-failure.ts';

/** What recording how a run ended needs: its record, its files and the output caps, the time. */
export type FinalizeRunDeps = Pick<RunDeps, 'runs' | 'runFiles' | 'runSettings'> & Pick<FoliumDeps, 'clock'>;

interface RunnerReport {
  status?: RunStatus;
  reason?: string | null;
  error?: { cellIndex?: number; ename?: string; evalue?: string; traceback?: string[] } | null;
  outputTruncated?: unknown;
  duration?: number;
}

/** What finalize learnt from the output: the runner's report, whether there is an output to offer, or why not. */
interface OutputRead {
  report: RunnerReport | null;
  present: boolean;
  problem: string | null;
}

const readReport = (bytes: Uint8Array | null): RunnerReport | null => {
  if (!bytes) return null;
  try {
    const metadata =
      (JSON.parse(new TextDecoder().decode(bytes)) as { metadata?: Record<string, Record<string, unknown>> })
        .metadata ?? {};
    return { ...(metadata.orrery as RunnerReport), duration: metadata.papermill?.duration as number | undefined };
  } catch {
    return null;
  }
};

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Reads the output, its size checked first against what the runner can have written (an output replaced by
 * the notebook's code could be any size, and would take the function down). `tolerant`: an output that
 * cannot be read is a reason to record, not an error to raise (the last chance to end the run).
 */
const readOutput = async (deps: FinalizeRunDeps, run: Run, tolerant: boolean): Promise<OutputRead> => {
  let limit = 0;
  try {
    limit = outputReadLimit((await deps.runFiles.size(run.inputKey)) ?? 0, deps.runSettings.output);
    const report = readReport(await deps.runFiles.getBounded(run.outputKey, limit));
    // An output that is not a notebook's JSON is not offered: there is nothing to show.
    return { report, present: report !== null, problem: null };
  } catch (err) {
    if (err instanceof PayloadTooLargeError) {
      return {
        report: null,
        present: false,
        problem:
          `its output notebook is over the ${megabytes(limit)} the runner can write for it, ` +
          `so it was not read (${cut(err.message, 200)})`,
      };
    }
    if (!tolerant) throw err;
    return {
      report: null,
      present: false,
      problem: `its output notebook could not be read: ${cut((err as Error).message, 500)}`,
    };
  }
};

const errorOf = (read: OutputRead, failure: StepFailure | undefined): RunError | null => {
  const e = read.report?.error;
  if (e)
    return {
      reason: read.report?.reason ?? `cell ${e.cellIndex} raised ${e.ename}`,
      cellIndex: e.cellIndex ?? null,
      ename: e.ename ?? null,
      evalue: e.evalue ?? null,
      traceback: e.traceback ?? [],
    };
  const why = [failure ? causeText(failure, 'the runner failed') : null, read.problem]
    .filter((x): x is string => !!x)
    .join('; ');
  const reason = read.report?.reason ?? (why || (read.report ? null : 'the runner wrote no output'));
  return reason ? { reason, cellIndex: null, ename: null, evalue: null, traceback: [] } : null;
};

// An error is shown, not archived: keep what a reader needs so the run item stays far below 400 KB.
const bounded = (e: RunError | null): RunError | null => {
  if (!e) return null;
  const traceback = e.traceback.slice(-40).map((line) => cut(line, 2000));
  while (traceback.join('').length > 24_000) traceback.shift();
  return {
    reason: cut(e.reason, 2000),
    cellIndex: e.cellIndex,
    ename: e.ename && cut(e.ename, 200),
    evalue: e.evalue && cut(e.evalue, 4000),
    traceback,
  };
};

const outcome = (run: Run, report: RunnerReport | null, failure?: StepFailure): RunStatus => {
  if (report?.status === 'COMPLETED') return 'COMPLETED';
  if (run.status === 'STOPPING' || report?.status === 'STOPPED' || failure?.Error === 'RunStoppedError')
    return 'STOPPED';
  return 'FAILED';
};

const SKIPPED: OutputRead = {
  report: null,
  present: false,
  problem: 'its output notebook was not read, as reading it had failed',
};

/** How finalize is asked: after a failure (`failure`), and as a last resort without reading the output at all. */
export interface FinalizeRunInput {
  runId: string;
  failure?: StepFailure;
  /** Record the outcome from `failure` alone: reading the output is what failed before. */
  skipOutput?: boolean;
}

/**
 * The workflow's last step, on success and failure alike: records how the run ended.
 * 1. Read the output notebook the runner left (complete or partial) and its `orrery` metadata, its size
 *    checked before it is read: one over what the runner can write ends the run FAILED, unread. After a
 *    failure, an output that cannot be read is recorded as such; with `skipOutput` it is not read at all.
 * 2. Decide: COMPLETED when the runner says so; STOPPED when a stop was asked for; else FAILED
 *    with the first failing cell, or the step's error (and the output's problem) when there is none.
 * 3. Move the run to that status once; a run already ended is left as it is.
 */
export const finalizeRun = async (deps: FinalizeRunDeps, input: FinalizeRunInput): Promise<Run> => {
  const run = await deps.runs.getRun(input.runId);
  if (!run) throw new NotFoundError(`run ${input.runId} not found`);
  if (TERMINAL_STATUSES.has(run.status)) return run;
  const read = input.skipOutput ? SKIPPED : await readOutput(deps, run, input.failure !== undefined);
  const report = read.report;
  const status = outcome(run, report, input.failure);
  const now = deps.clock.now();
  const error =
    status === 'COMPLETED'
      ? null
      : status === 'STOPPED'
        ? {
            reason: `stopped${run.stopRequestedBy ? ` by ${run.stopRequestedBy}` : ''}`,
            cellIndex: null,
            ename: null,
            evalue: null,
            traceback: [],
          }
        : errorOf(read, input.failure);
  const started = run.startedAt ? Date.parse(run.startedAt) : null;
  const duration = report?.duration ?? (started ? (now.getTime() - started) / 1000 : null);
  const changes = {
    status,
    error: bounded(error),
    hasOutput: read.present,
    outputTruncated: !!report?.outputTruncated,
    endedAt: now.toISOString(),
    durationSeconds: duration,
    updatedAt: now.toISOString(),
  };
  const open: RunStatus[] = ['CREATED', 'QUEUED', 'IN_PROGRESS', 'STOPPING'];
  let moved: Run | null;
  try {
    moved = await deps.runs.moveRun(run.id, open, changes);
  } catch (err) {
    // Whatever went wrong with the details, the run must not stay open: record the outcome alone.
    const message = cut((err as Error).message, 500);
    const reason = `the run ended ${status}, but its details could not be recorded: ${message}`;
    moved = await deps.runs.moveRun(run.id, open, {
      ...changes,
      error: { reason, cellIndex: null, ename: null, evalue: null, traceback: [] },
    });
  }
  return moved ?? (await deps.runs.getRun(run.id)) ?? run;
};
