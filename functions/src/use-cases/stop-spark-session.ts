import type { User } from '../domain/user.ts';
import {
  findSparkSession,
  sparkCostSoFar,
  type SparkDeps,
  type SparkSessionView,
  viewSparkSession,
} from './spark-deps.ts';

/** What stopping a session needs. */
export type StopSparkSessionDeps = Pick<SparkDeps, 'sparkSessions' | 'sparkCompute' | 'clock'>;

/**
 * DELETE /spark/sessions/{id} and DELETE /servers/{name}/lab/spark/sessions/{id}: stops a session's executors.
 * 1. Find it: the owner's or, for an admin, anyone's (404 otherwise); the server-token twin only finds that
 *    server's sessions.
 * 2. Already stopped: answer with it as it is.
 * 3. Delete its executors and what its start made (SparkCompute.stopSession, by its label), then mark it STOPPED
 *    with its cost so far (at most the maximum hourly cost × the hours it was active). The executors go first: a
 *    record that says STOPPED while executors still run would hide their cost. A stop racing another answers with
 *    the record the winner wrote.
 */
export const stopSparkSession = async (
  deps: StopSparkSessionDeps,
  input: { user: User; id: string; serverId?: string },
): Promise<SparkSessionView> => {
  const s = await findSparkSession(deps, input.user, input.id, input.serverId);
  if (s.status !== 'ACTIVE') return viewSparkSession(s);
  await deps.sparkCompute.stopSession(s.serverId, s.id);
  const now = deps.clock.now();
  const stopped = await deps.sparkSessions.stopSession(s.id, {
    stoppedAt: now.toISOString(),
    stopReason: 'owner',
    costSoFarUsd: sparkCostSoFar(s, now),
  });
  return viewSparkSession(stopped ?? (await deps.sparkSessions.getSession(s.id)) ?? s);
};
