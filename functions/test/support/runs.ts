import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestPlatform } from './platform.ts';

const TERMINAL = ['COMPLETED', 'FAILED', 'STOPPED'];

/** Polls a run until it reaches one of the statuses (terminal ones by default). */
export const waitForRun = async (
  t: TestPlatform,
  runId: string,
  token: string,
  statuses = TERMINAL,
  timeoutMs = 60_000,
) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.api('GET', `/runs/${runId}`, token);
    if (statuses.includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Reads a run's output notebook through its presigned URL. */
export const readOutput = async (run: { output: { url: string } | null }) => {
  if (!run.output) throw new Error('run has no output');
  return (await (await fetch(run.output.url)).json()) as {
    metadata: Record<string, any>;
    cells: Array<Record<string, any>>;
  };
};

/** The text a code cell printed. */
export const printed = (cell: Record<string, any>): string =>
  (cell.outputs as Array<{ output_type: string; text?: string | string[] }>)
    .filter((o) => o.output_type === 'stream')
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text))
    .join('');

/** Whether Debian's Jupyter can execute notebooks here; with CI=true its absence is a failure, not a skip. */
export const jupyterKernelAvailable = (): boolean => {
  const python = '/usr/bin/python3';
  const ok =
    existsSync(python) &&
    (() => {
      try {
        execSync(`${python} -c 'import nbclient, ipykernel'`, { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
  if (!ok && process.env.CI === 'true')
    throw new Error(
      'Jupyter is missing and CI=true: apt-get install python3-nbclient python3-ipykernel jupyter-client',
    );
  return ok;
};

/** Whether Debian's boto3 is there for notebooks that use AWS; with CI=true its absence is a failure, not a skip. */
export const boto3Available = (): boolean => {
  let ok = false;
  try {
    execSync(`/usr/bin/python3 -c 'import boto3'`, { stdio: 'ignore' });
    ok = true;
  } catch {
    ok = false;
  }
  if (!ok && process.env.CI === 'true') throw new Error('boto3 is missing and CI=true: apt-get install python3-boto3');
  return ok;
};
