import { randomUUID } from 'node:crypto';
import { serverIdFor } from '../../../src/domain/server.ts';
import { acknowledged, call, send, trace, withRetries } from './client.ts';
import type { Ledger, Target } from './ledger.ts';
import type { OpResult } from './notebook-ops.ts';
import { processesOf, waitGone } from './processes.ts';

const FINAL_RUN = ['COMPLETED', 'FAILED', 'STOPPED'];

/** Starts a run with an idempotency key, so a client retrying after a lost answer starts it once. */
export const startRun = async (
  t: Target,
  ledger: Ledger,
  notebookId: string,
  timeoutSeconds: number,
  budgetMs: number,
) => {
  const key = randomUUID();
  const a = await withRetries(
    () => call(t.apiUrl, t.token, 'POST', `/notebooks/${notebookId}/runs`, { timeoutSeconds, idempotencyKey: key }),
    budgetMs,
  );
  if (acknowledged(a.last)) ledger.runs.add(a.last.body.id);
  return { runId: acknowledged(a.last) ? (a.last.body.id as string) : null, trace: trace(a), answer: a.last };
};

/** Polls until the thing's status is one of `statuses` or the deadline passes; the last body read. */
const pollUntil = async (t: Target, path: string, statuses: string[], deadlineAt: number): Promise<any> => {
  let body: any = null;
  for (;;) {
    const a = await call(t.apiUrl, t.token, 'GET', path);
    if (a.status === 200) body = a.body;
    if ((body && statuses.includes(body.status)) || Date.now() > deadlineAt) return body;
    await new Promise((r) => setTimeout(r, 150));
  }
};

/**
 * A run's invariants: it reaches a final state by its deadline, a COMPLETED run's output reads,
 * and nothing of its runner (runner, kernel, what the notebook started) is left afterwards.
 */
export const settleRun = async (t: Target, home: string, runId: string, deadlineAt: number): Promise<OpResult> => {
  const run = await pollUntil(t, `/runs/${runId}`, FINAL_RUN, deadlineAt);
  const problems: string[] = [];
  if (!run) return { trace: '', outcome: 'lost', problems: [`acknowledged run ${runId} is lost`] };
  if (!FINAL_RUN.includes(run.status)) problems.push(`run ${runId} is still ${run.status} past its deadline`);
  if (run.status === 'COMPLETED') {
    const output = run.output?.url ? await send(run.output.url) : null;
    if (output?.status !== 200)
      problems.push(`run ${runId} COMPLETED but its output does not read (${output?.status ?? 'no output link'})`);
  }
  const left = await waitGone(
    processesOf({ markers: [`ORRERY_RUN_ID=${runId}`], folders: [`${home}/runs/${runId}`] }).map((p) => p.pid),
    10_000,
  );
  if (left.length) problems.push(`run ${runId} left processes behind: ${left.join(', ')}`);
  const why = run.error?.reason ? `: ${String(run.error.reason).slice(0, 60)}` : '';
  return { trace: '', outcome: `${run.status}${why}`, problems };
};

/**
 * Restarts what a fault ended: the same run again (POST /runs/{id}/rerun), which, with the fault
 * healed, must complete by its deadline.
 */
export const rerunToCompletion = async (
  t: Target,
  ledger: Ledger,
  home: string,
  runId: string,
  timeoutSeconds: number,
  budgetMs: number,
) => {
  const postedAt = Date.now();
  const body = { timeoutSeconds, idempotencyKey: randomUUID() };
  const a = await withRetries(() => call(t.apiUrl, t.token, 'POST', `/runs/${runId}/rerun`, body), budgetMs);
  const why = `${a.last.status} ${a.last.body?.error ?? a.last.error ?? ''}`;
  if (!acknowledged(a.last))
    return {
      trace: `rerun ${trace(a)}`,
      outcome: 'no rerun',
      problems: [`rerunning ${runId} after the fault did not recover: ${why}`],
    };
  ledger.runs.add(a.last.body.id);
  const settled = await settleRun(t, home, a.last.body.id, postedAt + timeoutSeconds * 1000 + 30_000);
  const ended = settled.outcome.startsWith('COMPLETED')
    ? []
    : [`the rerun of ${runId}, with the fault healed, ended ${settled.outcome}`];
  const problems = [...settled.problems, ...ended];
  return { trace: `rerun ${trace(a)}`, outcome: `rerun ${settled.outcome}`, problems };
};

/** Asks for a server; a retry after a lost answer may find it launched already (409): launched, if it exists. */
export const launchServer = async (t: Target, ledger: Ledger, name: string, budgetMs: number) => {
  const a = await withRetries(() => call(t.apiUrl, t.token, 'POST', '/servers', { name }), budgetMs);
  const exists =
    acknowledged(a.last) ||
    (a.last.status === 409 && (await call(t.apiUrl, t.token, 'GET', `/servers/${name}`)).status === 200);
  if (acknowledged(a.last)) ledger.servers.add(name);
  return { launched: exists, trace: trace(a), answer: a.last };
};

const serverProcesses = (home: string, serverId: string) =>
  processesOf({ markers: [`ORRERY_SERVER_ID=${serverId}`], folders: [`${home}/servers/${serverId}`] });

/**
 * A launch's invariants: it reaches RUNNING, FAILED or STOPPED by its deadline; a FAILED one has
 * no process left; a stop then ends it STOPPED; and none of its processes (Jupyter, kernels, reporter) is left.
 */
export const settleServer = async (
  t: Target,
  home: string,
  name: string,
  deadlineAt: number,
  budgetMs: number,
): Promise<OpResult> => {
  const server = await pollUntil(t, `/servers/${name}`, ['RUNNING', 'FAILED', 'STOPPED'], deadlineAt);
  if (!server) return { trace: '', outcome: 'lost', problems: [`acknowledged server ${name} is lost`] };
  const problems: string[] = [];
  const reached = server.status;
  if (!['RUNNING', 'FAILED', 'STOPPED'].includes(reached))
    problems.push(`server ${name} is still ${reached} past its launch deadline`);
  if (reached === 'FAILED') {
    const orphans = await waitGone(
      serverProcesses(home, serverIdFor(t.owner, name)).map((p) => p.pid),
      10_000,
    );
    if (orphans.length) problems.push(`server ${name} is FAILED but its processes run on: ${orphans.join(', ')}`);
  }
  const stop = await withRetries(() => call(t.apiUrl, t.token, 'DELETE', `/servers/${name}`), budgetMs);
  const after = await pollUntil(t, `/servers/${name}`, ['FAILED', 'STOPPED'], Date.now() + 15_000);
  if (!['FAILED', 'STOPPED'].includes(after?.status))
    problems.push(`server ${name} is ${after?.status} after a stop (${trace(stop)})`);
  const left = await waitGone(
    serverProcesses(home, serverIdFor(t.owner, name)).map((p) => p.pid),
    10_000,
  );
  if (left.length) problems.push(`server ${name} left processes behind: ${left.join(', ')}`);
  return { trace: `stop ${trace(stop)}`, outcome: `${reached} then ${after?.status}`, problems };
};
