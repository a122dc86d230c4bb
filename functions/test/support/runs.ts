import type { TestPlatform } from './platform.ts';

const TERMINAL = ['COMPLETED', 'FAILED', 'STOPPED'];

/** Polls a run until it reaches one of the statuses (terminal ones by default). */
export const waitForRun = async (t: TestPlatform, runId: string, token: string, statuses = TERMINAL, timeoutMs = 60_000) => {
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
  return (await (await fetch(run.output.url)).json()) as { metadata: Record<string, any>; cells: Array<Record<string, any>> };
};

/** The text a code cell printed. */
export const printed = (cell: Record<string, any>): string =>
  (cell.outputs as Array<{ output_type: string; text?: string | string[] }>).filter((o) => o.output_type === 'stream').map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text)).join('');
