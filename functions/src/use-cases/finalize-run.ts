import { NotFoundError } from '../domain/errors.ts';
import { TERMINAL_STATUSES, type Run, type RunError, type RunStatus } from '../domain/run.ts';
import type { RunDeps } from './run-deps.ts';
import { causeText, type StepFailure } from './step-failure.ts';

interface RunnerReport {
  status?: RunStatus;
  reason?: string | null;
  error?: { cellIndex?: number; ename?: string; evalue?: string; traceback?: string[] } | null;
  duration?: number;
}

const readReport = (bytes: Uint8Array | null): RunnerReport | null => {
  if (!bytes) return null;
  try {
    const metadata = (JSON.parse(new TextDecoder().decode(bytes)) as { metadata?: Record<string, Record<string, unknown>> }).metadata ?? {};
    return { ...(metadata.orrery as RunnerReport), duration: metadata.papermill?.duration as number | undefined };
  } catch {
    return null;
  }
};

const errorOf = (report: RunnerReport | null, failure: StepFailure | undefined): RunError | null => {
  const e = report?.error;
  if (e) return { reason: report?.reason ?? `cell ${e.cellIndex} raised ${e.ename}`, cellIndex: e.cellIndex ?? null, ename: e.ename ?? null, evalue: e.evalue ?? null, traceback: e.traceback ?? [] };
  const reason = report?.reason ?? (failure ? causeText(failure, 'the runner failed') : report ? null : 'the runner wrote no output');
  return reason ? { reason, cellIndex: null, ename: null, evalue: null, traceback: [] } : null;
};

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

// An error is shown, not archived: keep what a reader needs so the run item stays far below 400 KB.
const bounded = (e: RunError | null): RunError | null => {
  if (!e) return null;
  const traceback = e.traceback.slice(-40).map((line) => cut(line, 2000));
  while (traceback.join('').length > 24_000) traceback.shift();
  return { reason: cut(e.reason, 2000), cellIndex: e.cellIndex, ename: e.ename && cut(e.ename, 200), evalue: e.evalue && cut(e.evalue, 4000), traceback };
};

const outcome = (run: Run, report: RunnerReport | null, failure?: StepFailure): RunStatus => {
  if (report?.status === 'COMPLETED') return 'COMPLETED';
  if (run.status === 'STOPPING' || report?.status === 'STOPPED' || failure?.Error === 'RunStoppedError') return 'STOPPED';
  return 'FAILED';
};

/**
 * The workflow's last step, on success and failure alike: records how the run ended.
 * 1. Read the output notebook the runner left (complete or partial) and its `orrery` metadata.
 * 2. Decide: COMPLETED when the runner says so; STOPPED when a stop was asked for; else FAILED
 *    with the first failing cell, or the step's error when the runner left nothing.
 * 3. Move the run to that status once; a run already ended is left as it is.
 */
export const finalizeRun = async (deps: RunDeps, input: { runId: string; failure?: StepFailure }): Promise<Run> => {
  const run = await deps.runs.getRun(input.runId);
  if (!run) throw new NotFoundError(`run ${input.runId} not found`);
  if (TERMINAL_STATUSES.has(run.status)) return run;
  const report = readReport(await deps.runFiles.get(run.outputKey));
  const status = outcome(run, report, input.failure);
  const now = deps.clock.now();
  const error = status === 'COMPLETED' ? null : status === 'STOPPED' ? { reason: `stopped${run.stopRequestedBy ? ` by ${run.stopRequestedBy}` : ''}`, cellIndex: null, ename: null, evalue: null, traceback: [] } : errorOf(report, input.failure);
  const started = run.startedAt ? Date.parse(run.startedAt) : null;
  const duration = report?.duration ?? (started ? (now.getTime() - started) / 1000 : null);
  const changes = { status, error: bounded(error), hasOutput: report !== null, endedAt: now.toISOString(), durationSeconds: duration, updatedAt: now.toISOString() };
  const open: RunStatus[] = ['CREATED', 'QUEUED', 'IN_PROGRESS', 'STOPPING'];
  let moved: Run | null;
  try {
    moved = await deps.runs.moveRun(run.id, open, changes);
  } catch (err) {
    // Whatever went wrong with the details, the run must not stay open: record the outcome alone.
    const reason = `the run ended ${status}, but its details could not be recorded: ${cut((err as Error).message, 500)}`;
    moved = await deps.runs.moveRun(run.id, open, { ...changes, error: { reason, cellIndex: null, ename: null, evalue: null, traceback: [] } });
  }
  return moved ?? (await deps.runs.getRun(run.id)) ?? run;
};
