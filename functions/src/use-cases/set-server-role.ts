import { ConflictError } from '../domain/errors.ts';
import { roleFor } from '../domain/role.ts';
import type { User } from '../domain/user.ts';
import { findServer, viewServer, type ServerView } from './server-access.ts';
import type { ServerDeps } from './server-deps.ts';

/** What switching a server's role needs. */
export type SetServerRoleDeps = Pick<ServerDeps, 'servers' | 'clock' | 'roles'>;

/**
 * PUT /servers/{name}/role: the owner switches the AWS role a launching or running server's sidecar serves keys
 * for, or clears it (null), without a relaunch.
 * 1. Only the owner: an admin may see another's server but not put their own AWS access into it (404 as for
 *    anyone else's).
 * 2. The role must be one the owner holds now (the same 403 as POST /credentials); the owner's teams are kept
 *    (with a role or without), for the issues the sidecar asks for later and the server token's routes.
 * 3. Only a PENDING or RUNNING server (409 otherwise). Keys already handed out stay valid, and the sidecar (like
 *    botocore in the kernel) keeps the old role's keys until they come within 15 minutes of their end (up to 45
 *    minutes with hour-long sessions); its next fetch gets the new role.
 */
export const setServerRole = async (
  deps: SetServerRoleDeps,
  input: { user: User; name: string; role: string | null },
): Promise<ServerView> => {
  const server = await findServer(deps, input.user, input.name);
  const role = input.role === null ? null : roleFor(input.user, deps.roles, input.role);
  const notRunning = () =>
    new ConflictError(
      `server '${server.name}' is ${server.status}; a role can only be switched on a launching or running server`,
      'server_not_running',
    );
  if (server.status !== 'RUNNING' && server.status !== 'PENDING') throw notRunning();
  const moved = await deps.servers.moveServer(
    server.id,
    ['PENDING', 'RUNNING'],
    {
      role: role?.name ?? null,
      ownerTeams: [...input.user.teams],
      updatedAt: deps.clock.now().toISOString(),
    },
    { launchId: server.launchId },
  );
  if (!moved)
    throw new ConflictError(`server '${server.name}' stopped or was relaunched meanwhile`, 'server_not_running');
  return viewServer(moved);
};
