import type { IssuedCredentials } from '../domain/credentials.ts';
import { ConflictError, ForbiddenError, UnauthorizedError } from '../domain/errors.ts';
import { roleFor, sessionSeconds } from '../domain/role.ts';
import { parseServerCredentialsToken, type Server } from '../domain/server.ts';
import { matchesDigest } from '../domain/token-digest.ts';
import type { User } from '../domain/user.ts';
import type { ServerStore } from '../ports/server-store.ts';
import type { SparkSessionStore } from '../ports/spark-session-store.ts';
import { issueRoleSession, type IssueCredentialsDeps } from './issue-credentials.ts';

/**
 * What a server's credentials need: the credential ports, the server records its token is checked against, and the
 * Spark sessions whose executors ask with it.
 */
export type IssueServerCredentialsDeps = IssueCredentialsDeps & {
  servers: ServerStore;
  sparkSessions: SparkSessionStore;
};

// The sidecar gives up for good on 401, 403 and 404 (the token is dead): those answers are kept for exactly that,
// and everything the owner can still fix (no role yet, a role no longer theirs, a trust policy) is a 409.
const fixable = (err: unknown, server: Server, role = server.role): unknown =>
  err instanceof ForbiddenError
    ? new ConflictError(
        `server '${server.name}' cannot get keys for role '${role}': ${err.message}`,
        'role_not_available',
      )
    : err;

const deadToken = () =>
  new ForbiddenError(
    'this credentials token is no longer valid: its server was stopped, culled or relaunched, or never existed',
  );

// The token names its server and launch; the hash of the whole token must be the one recorded for that launch,
// which must still be launching or running.
const serverOfCredentialsToken = async (
  deps: Pick<IssueServerCredentialsDeps, 'servers'>,
  name: string,
  token: string | undefined,
): Promise<Server> => {
  if (!token) throw new UnauthorizedError('send the credentials token: Authorization: token <credentials token>');
  const parsed = parseServerCredentialsToken(token);
  if (!parsed) throw deadToken();
  const server = await deps.servers.getServer(parsed.serverId);
  if (
    !server ||
    server.launchId !== parsed.launchId ||
    !matchesDigest(token, server.credentialsTokenHash) ||
    server.name !== name ||
    (server.status !== 'PENDING' && server.status !== 'RUNNING')
  )
    throw deadToken();
  return server;
};

/**
 * POST /servers/{name}/credentials, from the server's credentials sidecar with the launch's credentials token:
 * keys for the server's current role, for its owner; with `session`, from a Spark executor's sidecar, keys for that
 * session's role.
 * 1. The token must be this server's current launch's, and the server launching or running: otherwise 403, which
 *    tells the sidecar its token is dead (stop, cull and relaunch all revoke it).
 * 2. With a session: it must be this server's and ACTIVE (403 otherwise: its executors are being deleted), and its
 *    role decides; purpose `spark`. Without: the server's role; purpose `server`.
 * 3. No role: 409 saying how to set one (the sidecar keeps asking, so a later PUT role works at once).
 * 4. The role must still be the owner's, judged by the teams kept with the server; then assume it for the owner,
 *    tagged with the purpose and the server id, and record the issue (issueRoleSession). A role no longer held, or
 *    one whose trust policy refuses Orrery, is a 409 too: the owner can fix either without a relaunch.
 */
export const issueServerCredentials = async (
  deps: IssueServerCredentialsDeps,
  input: { name: string; token: string | undefined; session?: string },
): Promise<IssuedCredentials> => {
  const server = await serverOfCredentialsToken(deps, input.name, input.token);
  const roleName = input.session ? await sessionRole(deps, server, input.session) : server.role;
  if (!roleName)
    throw new ConflictError(
      input.session
        ? `Spark session ${input.session} has no AWS role: start it with one (role) or set the server's first`
        : `server '${server.name}' has no AWS role: its owner can set one with PUT /servers/${server.name}/role`,
      'no_role',
    );
  const owner: User = { id: server.owner, name: server.owner, teams: server.ownerTeams ?? [], admin: false };
  try {
    const role = roleFor(owner, deps.roles, roleName);
    return await issueRoleSession(deps, {
      user: owner,
      role,
      purpose: input.session ? 'spark' : 'server',
      durationSeconds: sessionSeconds(role),
      serverId: server.id,
    });
  } catch (err) {
    throw fixable(err, server, roleName);
  }
};

// A Spark session's role, when the session is this server's and still ACTIVE; a stopped or foreign one is the
// same 403 (its executors are going, or the sidecar is not this server's).
const sessionRole = async (
  deps: Pick<IssueServerCredentialsDeps, 'sparkSessions'>,
  server: Server,
  id: string,
): Promise<string | undefined> => {
  const session = await deps.sparkSessions.getSession(id);
  if (!session || session.serverId !== server.id || session.status !== 'ACTIVE')
    throw new ForbiddenError(`Spark session ${id} is not an active session of server '${server.name}'`);
  return session.role;
};
