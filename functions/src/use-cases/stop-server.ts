import type { User } from '../domain/user.ts';
import { endServer, type EndServerDeps } from './end-server.ts';
import { findServer, viewServer, type ServerView } from './server-access.ts';

/**
 * DELETE /servers/{name}: stops a server, launching or running.
 * 1. Find it (owner, or an admin naming the owner).
 * 2. End it: pod or process tree, Service, token and Spark applications go; it ends STOPPED.
 * Stopping a stopped server answers with it as it is; a launch still in flight sees the stop and cleans up after
 * itself.
 */
export const stopServer = async (
  deps: EndServerDeps,
  input: { user: User; name: string; owner?: string },
): Promise<ServerView> => {
  const server = await findServer(deps, input.user, input.name, input.owner);
  if (server.status === 'STOPPED' || server.status === 'FAILED') return viewServer(server);
  const by = input.user.id === server.owner ? 'owner' : `admin ${input.user.id}`;
  const ended = await endServer(deps, server, { by, reason: `stopped by ${by}`, final: 'STOPPED' });
  return viewServer(ended.server);
};

/**
 * A server's process ended by itself (local mode's exit watcher): FAILED with the reason unless it was
 * already being stopped; its leftovers and slot are cleaned up the same way. A launch still in flight
 * then finds it no longer PENDING and cleans up after itself.
 */
export const serverExited = async (
  deps: EndServerDeps,
  input: { serverId: string; launchId: string; reason: string },
): Promise<void> => {
  const server = await deps.servers.getServer(input.serverId);
  if (!server || server.launchId !== input.launchId || (server.status !== 'RUNNING' && server.status !== 'PENDING'))
    return;
  await endServer(deps, server, {
    by: 'platform',
    reason: input.reason,
    final: 'FAILED',
    expect: { launchId: input.launchId },
  });
};
