import { slotHolder, type Server, type ServerStatus } from '../domain/server.ts';
import type { SparkSession } from '../domain/spark-session.ts';
import type { ServerExpectation } from '../ports/server-store.ts';
import type { ServerDeps } from './server-deps.ts';
import { sparkCostSoFar, type SparkDeps } from './spark-deps.ts';

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

/** What ending a server needs: its record, its compute, its Spark sessions' records, the time. */
export type EndServerDeps = Pick<ServerDeps, 'servers' | 'compute' | 'clock'> & Pick<SparkDeps, 'sparkSessions'>;

/** A Spark session a teardown or the culler stopped, as the cull log names it. */
export interface StoppedSparkSession {
  id: string;
  appName: string;
  costSoFarUsd: number;
}

// A page of a server's active sessions; a server with more has them all read, page after page.
const ACTIVE_PAGE = 100;

/** Every ACTIVE session of a server, read page after page before any is stopped (a stop takes it off the index). */
const activeSessionsOf = async (deps: Pick<EndServerDeps, 'sparkSessions'>, serverId: string) => {
  const all: SparkSession[] = [];
  let after: string | undefined;
  do {
    const page = await deps.sparkSessions.listActiveByServer(serverId, { after, limit: ACTIVE_PAGE });
    all.push(...page.items);
    after = page.next;
  } while (after);
  return all;
};

/**
 * Marks a server's ACTIVE Spark sessions STOPPED (`server-ended`), each with its cost so far; their executors went
 * with the server's Spark applications (by the server's label) just before. Returns the sessions it stopped.
 */
export const endSparkSessions = async (
  deps: Pick<EndServerDeps, 'sparkSessions' | 'clock'>,
  serverId: string,
): Promise<StoppedSparkSession[]> => {
  const active = (await activeSessionsOf(deps, serverId)).filter((s) => s.status === 'ACTIVE');
  const now = deps.clock.now();
  const stopped: StoppedSparkSession[] = [];
  for (const s of active) {
    const costSoFarUsd = sparkCostSoFar(s, now);
    const done = await deps.sparkSessions.stopSession(s.id, {
      stoppedAt: now.toISOString(),
      stopReason: 'server-ended',
      costSoFarUsd,
    });
    if (done) stopped.push({ id: s.id, appName: s.appName, costSoFarUsd });
  }
  return stopped;
};

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
 * then, best effort, the Spark applications it started (executors labelled with the server) and its Spark
 * sessions' records (STOPPED, `server-ended`); a failure there is returned, not thrown, so missing Spark
 * permissions never keep a server up. Then the final state, and the slot back.
 */
export const finishEnd = async (
  deps: EndServerDeps,
  claimed: Server,
): Promise<{
  server: Server;
  sparkApplications: string[];
  sparkSessions: StoppedSparkSession[];
  sparkError?: string;
}> => {
  await deps.compute.remove(claimed.id);
  let sparkApplications: string[] = [];
  let sparkSessions: StoppedSparkSession[] = [];
  // Both are tried whatever the other did, and both failures are kept: the culler's Spark part stops the sessions
  // of an ended server that stay ACTIVE here.
  const sparkErrors: string[] = [];
  try {
    sparkApplications = await deps.compute.stopSparkApplications(claimed.id);
  } catch (err) {
    sparkErrors.push(`could not stop the Spark applications of ${claimed.id}: ${(err as Error).message}`);
  }
  try {
    sparkSessions = await endSparkSessions(deps, claimed.id);
  } catch (err) {
    sparkErrors.push(`could not record the end of the Spark sessions of ${claimed.id}: ${(err as Error).message}`);
  }
  const sparkError = sparkErrors.length ? sparkErrors.join('; ') : undefined;
  const at = deps.clock.now().toISOString();
  const ended = await deps.servers.moveServer(
    claimed.id,
    ['STOPPING'],
    { status: claimed.endAs ?? 'STOPPED', stoppedAt: at, cullCheckAt: null, updatedAt: at },
    { launchId: claimed.launchId },
  );
  await deps.servers.releaseSlot(claimed.owner, claimed.slot, slotHolder(claimed.id, claimed.launchId));
  return { server: ended ?? claimed, sparkApplications, sparkSessions, ...(sparkError ? { sparkError } : {}) };
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
      sparkSessions: [] as StoppedSparkSession[],
    };
  return { ...(await finishEnd(deps, claimed)), claimed: true };
};
