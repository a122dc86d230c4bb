import { slotHolder, type Server, type ServerStatus } from '../domain/server.ts';
import type { ServerExpectation } from '../ports/server-store.ts';
import type { ServerDeps } from './server-deps.ts';

/** How a server is being ended, and by whom. */
export interface EndServer {
  by: string;
  reason: string;
  /** STOPPED for a stop someone asked for, FAILED when the server broke. */
  final: 'STOPPED' | 'FAILED';
  /** Only end it if it still looks like this (the culler's read of its activity). */
  expect?: ServerExpectation;
  /** The states it may be claimed from; the culler claims only RUNNING servers, so a second sweep loses the claim. */
  from?: readonly ServerStatus[];
}

/** What ending a server needs: its record, its compute, the time. */
export type EndServerDeps = Pick<ServerDeps, 'servers' | 'compute' | 'clock'>;

// A teardown that fails (the Kubernetes API is down) is retried by the culler this much later.
const TEARDOWN_RETRY_MS = 5 * 60_000;

/**
 * Claims a server for ending: PENDING, RUNNING or STOPPING → STOPPING, its cull check turned into a
 * teardown retry so a teardown that fails is finished by a later sweep. Null when the claim is lost
 * (already ended, or the expectation no longer holds).
 */
export const claimEnd = async (deps: EndServerDeps, server: Server, how: EndServer): Promise<Server | null> => {
  const now = deps.clock.now();
  return deps.servers.moveServer(
    server.id,
    how.from ?? ['PENDING', 'RUNNING', 'STOPPING'],
    {
      status: 'STOPPING',
      stoppedBy: how.by,
      reason: how.reason,
      endAs: how.final,
      cullWarning: null,
      cullCheckAt: new Date(now.getTime() + TEARDOWN_RETRY_MS).toISOString(),
      updatedAt: now.toISOString(),
    },
    { launchId: server.launchId, ...how.expect },
  );
};

/**
 * Tears a claimed server down: the pod or process tree, its Service and token first (they cost money),
 * then, best effort, the Spark applications it started (a failure there is returned, not thrown, so
 * missing Spark permissions never keep a server up); then the final state, and the slot back.
 */
export const finishEnd = async (
  deps: EndServerDeps,
  claimed: Server,
): Promise<{ server: Server; sparkApplications: string[]; sparkError?: string }> => {
  await deps.compute.remove(claimed.id);
  let sparkApplications: string[] = [];
  let sparkError: string | undefined;
  try {
    sparkApplications = await deps.compute.stopSparkApplications(claimed.id);
  } catch (err) {
    sparkError = `could not stop the Spark applications of ${claimed.id}: ${(err as Error).message}`;
  }
  const at = deps.clock.now().toISOString();
  const ended = await deps.servers.moveServer(
    claimed.id,
    ['STOPPING'],
    { status: claimed.endAs ?? 'STOPPED', stoppedAt: at, cullCheckAt: null, updatedAt: at },
    { launchId: claimed.launchId },
  );
  await deps.servers.releaseSlot(claimed.owner, claimed.slot, slotHolder(claimed.id, claimed.launchId));
  return { server: ended ?? claimed, sparkApplications, ...(sparkError ? { sparkError } : {}) };
};

/**
 * Ends a server; safe to repeat and to race:
 * 1. Claim it (claimEnd). Losing the claim ends here with `claimed: false`.
 * 2. Tear it down and record the final state (finishEnd).
 */
export const endServer = async (deps: EndServerDeps, server: Server, how: EndServer) => {
  const claimed = await claimEnd(deps, server, how);
  if (!claimed)
    return {
      server: (await deps.servers.getServer(server.id)) ?? server,
      claimed: false,
      sparkApplications: [] as string[],
    };
  return { ...(await finishEnd(deps, claimed)), claimed: true };
};
