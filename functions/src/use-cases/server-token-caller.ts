import { ForbiddenError, UnauthorizedError } from '../domain/errors.ts';
import { parseServerToken, type Server } from '../domain/server.ts';
import { matchesDigest } from '../domain/token-digest.ts';
import type { User } from '../domain/user.ts';
import type { ServerStore } from '../ports/server-store.ts';

/** What acting for a server's owner needs: the server records its token is checked against. */
export interface ServerTokenCallerDeps {
  servers: ServerStore;
}

/** The owner a server token acts for, and the server it belongs to. */
export interface ServerTokenCaller {
  user: User;
  server: Server;
}

// One answer for every dead or foreign token, so a caller learns nothing about other servers from the refusal.
const refused = (name: string) =>
  new ForbiddenError(
    `this server token does not open server '${name}': it belongs to another server or an earlier launch, ` +
      'or the server is no longer running',
  );

/**
 * The caller of a `/servers/{name}/lab/...` route: the owner of the server whose token came with the request.
 * 1. The token must be a server token (401 without one), of this server's current launch (the hash of the whole
 *    token, compared in constant time, as activity reports are checked), for the server the path names.
 * 2. The server must be launching or running: a stopped, failed or stopping server's token opens nothing.
 * 3. The caller is the owner with the teams recorded on the server (at launch and at each role change), never an
 *    admin, even when the owner is one: a token that notebook code can read must not carry admin rights.
 * Everything else (403 for a role not held, 404 for a notebook not visible) is decided by the owner's use cases.
 */
export const serverTokenCaller = async (
  deps: ServerTokenCallerDeps,
  input: { name: string; token: string | undefined },
): Promise<ServerTokenCaller> => {
  if (!input.token) throw new UnauthorizedError('send the server token: Authorization: token <server token>');
  const parsed = parseServerToken(input.token);
  if (!parsed) throw refused(input.name);
  const server = await deps.servers.getServer(parsed.serverId);
  if (
    !server ||
    server.launchId !== parsed.launchId ||
    !matchesDigest(input.token, server.tokenHash) ||
    server.name !== input.name ||
    (server.status !== 'PENDING' && server.status !== 'RUNNING')
  )
    throw refused(input.name);
  const user: User = { id: server.owner, name: server.owner, teams: [...(server.ownerTeams ?? [])], admin: false };
  return { user, server };
};
