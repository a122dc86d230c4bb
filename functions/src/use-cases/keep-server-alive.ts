import { ConflictError } from '../domain/errors.ts';
import type { User } from '../domain/user.ts';
import { findServer, viewServer, type ServerView } from './server-access.ts';
import type { ServerDeps } from './server-deps.ts';

/** What keeping a server alive needs. */
export type KeepServerAliveDeps = Pick<ServerDeps, 'servers' | 'clock' | 'cullPolicy'>;

/**
 * POST /servers/{name}/keepalive: the owner's answer to an idle warning. Counts as activity now,
 * drops an idle warning and moves the cull check; it buys a full idle timeout, never past the max age or a silence.
 */
export const keepServerAlive = async (
  deps: KeepServerAliveDeps,
  input: { user: User; name: string; owner?: string },
): Promise<ServerView> => {
  const server = await findServer(deps, input.user, input.name, input.owner);
  if (server.status !== 'RUNNING')
    throw new ConflictError(
      `server '${server.name}' is ${server.status}; only a running server can be kept alive`,
      'server_not_running',
    );
  const at = deps.clock.now().toISOString();
  // Keeping alive buys idle time only: a max-age warning stands, and so does a silence warning (only the server's
  // report answers it).
  const warning = server.cullWarning?.reason === 'idle' ? undefined : server.cullWarning;
  const next = { ...server, lastActivity: at, cullWarning: warning };
  const moved = await deps.servers.moveServer(
    server.id,
    ['RUNNING'],
    {
      lastActivity: at,
      cullWarning: warning ?? null,
      cullCheckAt: deps.cullPolicy.nextCheck(next) ?? null,
      updatedAt: at,
    },
    { launchId: server.launchId },
  );
  if (!moved) throw new ConflictError(`server '${server.name}' stopped meanwhile`, 'server_not_running');
  return viewServer(moved);
};
