import { ConflictError, ForbiddenError, UnauthorizedError } from '../domain/errors.ts';
import { lastActivityOf, type ActivityReport } from '../domain/activity.ts';
import { parseServerToken, type Server } from '../domain/server.ts';
import { matchesDigest } from '../domain/token-digest.ts';
import { endServer, type EndServerDeps } from './end-server.ts';
import type { ServerDeps } from './server-deps.ts';

/** What recording a server's activity needs: ending it too, when Jupyter stopped answering. */
export type ReportActivityDeps = EndServerDeps & Pick<ServerDeps, 'cullPolicy'>;

/** What a report changed: the activity the platform now holds and when the culler looks next. */
export interface ActivityResult {
  status: Server['status'];
  lastActivity: string;
  cullWarning: Server['cullWarning'] | null;
}

// The token names its server; the hash of the whole token must match the one stored for that launch.
const serverOfToken = async (deps: Pick<ServerDeps, 'servers'>, token: string | undefined): Promise<Server> => {
  const parsed = token ? parseServerToken(token) : null;
  if (!parsed || !token) throw new UnauthorizedError('send the server token: Authorization: token <server token>');
  const server = await deps.servers.getServer(parsed.serverId);
  if (!server || server.launchId !== parsed.launchId || !matchesDigest(token, server.tokenHash))
    throw new UnauthorizedError('this server token is not valid (the server was relaunched or never existed)');
  return server;
};

const recordReport = (
  deps: Pick<ServerDeps, 'servers' | 'cullPolicy'>,
  server: Server,
  report: ActivityReport,
  now: Date,
) => {
  const seen = lastActivityOf(report, now);
  const newer = seen && seen.getTime() > Date.parse(server.lastActivity) ? seen.toISOString() : server.lastActivity;
  // Activity answers idleness and any report answers silence; a max-age warning stands however busy the server is.
  const w = server.cullWarning;
  const dropWarning =
    w?.reason === 'no-heartbeat' || (w?.reason === 'idle' && Date.parse(newer) > Date.parse(w.warnedAt));
  const next: Server = {
    ...server,
    lastActivity: newer,
    lastReportAt: now.toISOString(),
    cullWarning: dropWarning ? undefined : server.cullWarning,
  };
  return deps.servers.moveServer(
    server.id,
    [server.status],
    {
      lastActivity: newer,
      lastReportAt: now.toISOString(),
      ...(dropWarning ? { cullWarning: null } : {}),
      ...(server.status === 'RUNNING' ? { cullCheckAt: deps.cullPolicy.nextCheck(next) ?? null } : {}),
      updatedAt: now.toISOString(),
    },
    { launchId: server.launchId, lastActivity: server.lastActivity },
  );
};

/**
 * POST /servers/{name}/activity, from the server itself (its reporter), with its server token:
 * 1. The token must be this server's current launch's; the path must name the same server (403 otherwise).
 * 2. A stopped server's reports are refused (409); a server whose Jupyter stopped answering is ended FAILED.
 * 3. Activity only moves forward; newer activity drops an idle warning, any report a silence warning, and the
 *    cull check moves.
 */
export const reportActivity = async (
  deps: ReportActivityDeps,
  input: { name: string; token: string | undefined; report: ActivityReport },
): Promise<ActivityResult> => {
  const server = await serverOfToken(deps, input.token);
  if (server.name !== input.name)
    throw new ForbiddenError(`this token belongs to server '${server.name}', not '${input.name}'`);
  if (server.status !== 'RUNNING' && server.status !== 'PENDING')
    throw new ConflictError(
      `server '${server.name}' is ${server.status}; activity is only taken from running servers`,
      'server_not_running',
    );
  if (!input.report.jupyterReachable && server.status === 'RUNNING') {
    const ended = await endServer(deps, server, {
      by: 'platform',
      reason: 'Jupyter stopped answering its activity reporter',
      final: 'FAILED',
    });
    return { status: ended.server.status, lastActivity: ended.server.lastActivity, cullWarning: null };
  }
  const now = deps.clock.now();
  // Conditional on the activity read, so a report cannot undo a keepalive that landed after it read; one retry on a
  // fresh read.
  let moved = await recordReport(deps, server, input.report, now);
  if (!moved) {
    const fresh = await deps.servers.getServer(server.id);
    if (fresh && fresh.launchId === server.launchId && (fresh.status === 'RUNNING' || fresh.status === 'PENDING'))
      moved = await recordReport(deps, fresh, input.report, now);
  }
  const held = moved ?? server;
  return { status: held.status, lastActivity: held.lastActivity, cullWarning: held.cullWarning ?? null };
};
