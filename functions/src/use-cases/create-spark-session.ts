import { ConflictError } from '../domain/errors.ts';
import { roleFor, teamFor } from '../domain/role.ts';
import type { Server } from '../domain/server.ts';
import type { SparkSession, SparkSizing } from '../domain/spark-session.ts';
import { sizeSpark } from '../domain/spark-sizing.ts';
import type { User } from '../domain/user.ts';
import type { SparkPlacement, SparkSessionSpec } from '../ports/spark-compute.ts';
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

// Where and how the compute backend places a session: the server it runs beside, its ids, role and sizing.
const placementSpec = (
  deps: Pick<CreateSparkSessionDeps, 'serverSettings'>,
  server: Server,
  ids: { id: string; appId: string },
  sizing: SparkSizing,
  role?: string,
): SparkSessionSpec => ({
  sessionId: ids.id,
  appId: ids.appId,
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

// The record: the sizing's conf with the placement's over it, the UI link from the placement, the others from the
// configured templates.
const sessionRecord = (
  deps: Pick<CreateSparkSessionDeps, 'spark' | 'clock'>,
  made: { server: Server; ids: { id: string; appId: string }; sizing: SparkSizing; placement: SparkPlacement },
  owner: { role?: string; team: string },
): SparkSession => {
  const { server, ids, sizing, placement } = made;
  return {
    id: ids.id,
    appId: ids.appId,
    serverId: server.id,
    serverName: server.name,
    owner: server.owner,
    team: owner.team,
    appName: sizing.appName,
    pool: sizing.pool.name,
    ...(owner.role ? { role: owner.role } : {}),
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
      ...sparkLinksOf(deps.spark, { appId: ids.appId, id: ids.id, serverName: server.name, owner: server.owner }),
    },
    cost: sizing.cost,
    status: 'ACTIVE',
    createdAt: deps.clock.now().toISOString(),
  };
};

// Stores the record; a session that cannot be recorded would run unseen, so its placement is undone (best effort).
const recordOrUndo = async (deps: Pick<CreateSparkSessionDeps, 'sparkSessions' | 'sparkCompute'>, s: SparkSession) => {
  try {
    await deps.sparkSessions.putSession(s);
  } catch (err) {
    await deps.sparkCompute.stopSession(s.serverId, s.id).catch(() => undefined);
    throw err;
  }
};

// The owner's notice for a session whose daily maximum crosses the threshold.
const tellHighCost = (deps: Pick<CreateSparkSessionDeps, 'notifier'>, s: SparkSession, sizing: SparkSizing) =>
  deps.notifier.notify({
    user: s.owner,
    kind: 'spark-high-cost',
    ref: s.id,
    subject:
      `Spark session ${s.appName} on ${s.serverName} may cost up to ` + `$${sizing.cost.dailyMaxUsd.toFixed(2)} a day`,
    text:
      `Your Spark session ${s.appName} (${s.id}) on server '${s.serverName}' may cost up to ` +
      `$${sizing.cost.maxHourlyUsd.toFixed(2)} an hour ($${sizing.cost.dailyMaxUsd.toFixed(2)} a day) at ` +
      `${sizing.maxExecutors} executors of ${sizing.executor.cores} cores. ` +
      'Stop it with spark.stop() when you are done.',
  });

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
  const owner = roleOf(deps, input.user, server, input.role);
  const sizing = sizeSpark(
    { appName: input.appName, pool: input.pool, conf: input.conf ?? {}, interactive: true },
    deps.spark.pools,
    deps.spark.rules,
  );
  const id = newSparkSessionId(deps.ids);
  const ids = { id, appId: `spark-${id}` };
  const placement = await deps.sparkCompute.startSession(placementSpec(deps, server, ids, sizing, owner.role));
  const session = sessionRecord(deps, { server, ids, sizing, placement }, owner);
  await recordOrUndo(deps, session);
  if (sizing.cost.highCost) await tellHighCost(deps, session, sizing);
  return viewSparkSession(session);
};
