import { ConflictError } from '../domain/errors.ts';
import { roleFor, teamFor } from '../domain/role.ts';
import type { Server } from '../domain/server.ts';
import type { SparkSession } from '../domain/spark-session.ts';
import { sizeSpark } from '../domain/spark-sizing.ts';
import type { User } from '../domain/user.ts';
import type { SparkRequestInput } from './preview-spark.ts';
import { findServer } from './server-access.ts';
import { checkSparkProfile, checkSparkRoleForServer, type SparkServerCheckDeps } from './spark-server-checks.ts';
import {
  newSparkSessionId,
  sparkLinksOf,
  type SparkDeps,
  type SparkSessionView,
  viewSparkSession,
} from './spark-deps.ts';

/** What starting a session needs. */
export type CreateSparkSessionDeps = Pick<
  SparkDeps,
  'sparkSessions' | 'sparkCompute' | 'servers' | 'notifier' | 'clock' | 'ids' | 'roles' | 'spark' | 'serverSettings'
> &
  SparkServerCheckDeps;

const notRunning = (s: Server) =>
  s.status === 'PENDING'
    ? new ConflictError(`server '${s.name}' is still launching; start Spark once it runs`, 'server_not_running')
    : new ConflictError(
        `server '${s.name}' is ${s.status}; Spark sessions start only on a running server: launch it again`,
        'server_not_running',
      );

// The role executors get keys for: the server's unless another is named, which the owner must hold now (403).
const roleOf = (deps: Pick<SparkDeps, 'roles'>, user: User, server: Server, asked?: string) => {
  const name = asked ?? server.role;
  if (!name) return { team: user.teams[0] ?? '-' };
  const role =
    asked && asked !== server.role ? roleFor(user, deps.roles, asked) : deps.roles.find((r) => r.name === name);
  return { role: name, team: (role ? teamFor(user, role) : user.teams[0]) ?? '-' };
};

/**
 * POST /spark/sessions (the owner's JWT) and POST /servers/{name}/lab/spark/sessions (the server's token): a Spark
 * session for a running server, its conf derived by the sizing rules, its executors placed by the compute backend.
 * 1. The server: by name among the caller's own (404 for anyone else's, admins included: it is their AWS access
 *    that executors get), or the one the server token stands for. It must be RUNNING (409; PENDING says it is
 *    still launching).
 * 2. The role: the server's, or another the owner holds now (403). The team its cost counts against: the role's
 *    team, else the owner's first, else `-`.
 * 3. Size it (interactive); a new id, `spark-<id>` as the app id.
 * 4. Place it (SparkCompute.startSession: the driver's Service, the executor pod template, placement conf and the
 *    UI link); the conf is the sizing's plus the placement's; history and monitoring links from the templates.
 * 5. Record it; if that fails, undo the placement (best effort) and fail.
 * 6. High cost: tell the owner (the warning is in the answer too).
 */
export const createSparkSession = async (
  deps: CreateSparkSessionDeps,
  input: SparkRequestInput & { user: User; server: string | Server },
): Promise<SparkSessionView> => {
  const server = typeof input.server === 'string' ? await findServer(deps, input.user, input.server) : input.server;
  if (server.status !== 'RUNNING') throw notRunning(server);
  checkSparkProfile(deps, server);
  checkSparkRoleForServer(deps, server, input.role ?? server.role);
  const { role, team } = roleOf(deps, input.user, server, input.role);
  const sizing = sizeSpark(
    { appName: input.appName, pool: input.pool, conf: input.conf ?? {}, interactive: true },
    deps.spark.pools,
    deps.spark.rules,
  );
  const id = newSparkSessionId(deps.ids);
  const appId = `spark-${id}`;
  const placement = await deps.sparkCompute.startSession({
    sessionId: id,
    appId,
    serverId: server.id,
    serverName: server.name,
    owner: server.owner,
    basePath: `/user/${encodeURIComponent(server.owner)}/${server.name}/`,
    serverUrl: server.url ?? '',
    ...(role ? { role } : {}),
    apiUrl: deps.serverSettings.apiUrl,
    pool: sizing.pool,
    sizing,
  });
  const session: SparkSession = {
    id,
    appId,
    serverId: server.id,
    serverName: server.name,
    owner: server.owner,
    team,
    appName: sizing.appName,
    pool: sizing.pool.name,
    ...(role ? { role } : {}),
    executor: sizing.executor,
    dynamicAllocation: sizing.dynamicAllocation,
    maxExecutors: sizing.maxExecutors,
    initialExecutors: sizing.initialExecutors,
    conf: { ...sizing.conf, ...placement.conf },
    ...(placement.podTemplate ? { podTemplate: placement.podTemplate } : {}),
    warnings: sizing.warnings,
    blocked: sizing.blocked,
    links: {
      ui: placement.links.ui,
      ...sparkLinksOf(deps.spark, { appId, id, serverName: server.name, owner: server.owner }),
    },
    cost: sizing.cost,
    status: 'ACTIVE',
    createdAt: deps.clock.now().toISOString(),
  };
  try {
    await deps.sparkSessions.putSession(session);
  } catch (err) {
    await deps.sparkCompute.stopSession(server.id, id).catch(() => undefined);
    throw err;
  }
  if (sizing.cost.highCost)
    await deps.notifier.notify({
      user: server.owner,
      subject:
        `Spark session ${session.appName} on ${server.name} may cost up to ` +
        `$${sizing.cost.dailyMaxUsd.toFixed(2)} a day`,
      text:
        `Your Spark session ${session.appName} (${id}) on server '${server.name}' may cost up to ` +
        `$${sizing.cost.maxHourlyUsd.toFixed(2)} an hour ($${sizing.cost.dailyMaxUsd.toFixed(2)} a day) at ` +
        `${sizing.maxExecutors} executors of ${sizing.executor.cores} cores. ` +
        'Stop it with spark.stop() when you are done.',
    });
  return viewSparkSession(session);
};
