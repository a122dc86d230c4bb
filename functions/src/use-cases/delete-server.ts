import { ConflictError } from '../domain/errors.ts';
import type { User } from '../domain/user.ts';
import { findServer, viewServer, type ServerView } from './server-access.ts';
import type { ServerDeps } from './server-deps.ts';

/** What deleting a server needs: its record and its home. */
export type DeleteServerDeps = Pick<ServerDeps, 'servers' | 'compute'>;

/**
 * DELETE /servers/{name}?remove=true: deletes a stopped server for good.
 * 1. Find it (owner, or an admin naming the owner); anyone else gets the same 404 as for a name that does not exist.
 * 2. Refuse one that is PENDING, RUNNING or STOPPING (409): stop it first, so no Jupyter loses files under it.
 * 3. Delete its home (the volume, or the local folder), then its record, so the name is free. In that order, and each
 *    step harmless to repeat: a failure leaves the record, and deleting again finishes the job.
 * A relaunch that slips in between (its launch differs from the one read) keeps its record; the conflict says so.
 */
export const deleteServer = async (
  deps: DeleteServerDeps,
  input: { user: User; name: string; owner?: string },
): Promise<ServerView> => {
  const server = await findServer(deps, input.user, input.name, input.owner);
  if (server.status !== 'STOPPED' && server.status !== 'FAILED')
    throw new ConflictError(
      `server '${server.name}' is ${server.status}; stop it first (DELETE /servers/${server.name}), then delete it`,
    );
  await deps.compute.deleteHome(server.id);
  const deleted = await deps.servers.deleteServer(server.id, ['STOPPED', 'FAILED'], server.launchId);
  if (!deleted && (await deps.servers.getServer(server.id)))
    throw new ConflictError(`server '${server.name}' was launched again while it was being deleted; stop it first`);
  return viewServer(server);
};
