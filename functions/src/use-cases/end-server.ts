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

/**
 * Ends a server; safe to repeat and to race:
 * 1. Claim it: PENDING, RUNNING or STOPPING → STOPPING, out of the cull index. Losing the claim
 *    (already ended, or the expectation no longer holds) ends here with `claimed: false`.
 * 2. Delete the pod or process tree, its Service and token, and the Spark applications it started.
 * 3. Record the final state, then give the user's slot back.
 */
export const endServer = async (deps: Pick<ServerDeps, 'servers' | 'compute' | 'clock'>, server: Server, how: EndServer) => {
  const now = deps.clock.now().toISOString();
  const claimed = await deps.servers.moveServer(
    server.id,
    how.from ?? ['PENDING', 'RUNNING', 'STOPPING'],
    { status: 'STOPPING', stoppedBy: how.by, reason: how.reason, cullCheckAt: null, cullWarning: null, updatedAt: now },
    { launchId: server.launchId, ...how.expect },
  );
  if (!claimed) return { server: (await deps.servers.getServer(server.id)) ?? server, claimed: false, sparkApplications: [] as string[] };
  const sparkApplications = await deps.compute.stopSparkApplications(server.id);
  await deps.compute.remove(server.id);
  const ended = await deps.servers.moveServer(server.id, ['STOPPING'], { status: how.final, stoppedAt: deps.clock.now().toISOString(), updatedAt: deps.clock.now().toISOString() }, { launchId: server.launchId });
  await deps.servers.releaseSlot(server.owner, server.slot, slotHolder(server.id, server.launchId));
  return { server: ended ?? claimed, claimed: true, sparkApplications };
};
