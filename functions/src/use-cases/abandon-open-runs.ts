import type { RunStatus } from '../domain/run.ts';
import { finalizeRun, type FinalizeRunDeps } from './finalize-run.ts';

const OPEN: RunStatus[] = ['CREATED', 'QUEUED', 'IN_PROGRESS', 'STOPPING'];

/**
 * Ends every run that is still open although nothing executes it any more (local mode after a crash:
 * its workflows lived in the process that died).
 * 1. Query each open status.
 * 2. Finalize each run as the workflow's RecordFailure would: STOPPED if a stop was asked for,
 *    else FAILED with the reason given, keeping whatever partial output the runner saved.
 */
export const abandonOpenRuns = async (deps: FinalizeRunDeps, reason: string): Promise<number> => {
  let ended = 0;
  for (const status of OPEN) {
    for (let page = await deps.runs.listRuns({ kind: 'status', status }, { limit: 100 }); ; ) {
      for (const run of page.items) {
        await finalizeRun(deps, { runId: run.id, failure: { Error: 'PlatformRestarted', Cause: reason } });
        ended += 1;
      }
      if (!page.next) break;
      page = await deps.runs.listRuns({ kind: 'status', status }, { before: page.next, limit: 100 });
    }
  }
  return ended;
};
