import { ForbiddenError, NotFoundError } from '../domain/errors.ts';
import { fillLinkTemplate } from '../domain/spark-links.ts';
import type { SparkPool, SparkRules, SparkSession } from '../domain/spark-session.ts';
import type { User } from '../domain/user.ts';
import type { Clock } from '../ports/clock.ts';
import type { CursorCodec } from '../ports/cursor-codec.ts';
import type { Ids } from '../ports/ids.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { ServerStore } from '../ports/server-store.ts';
import type { SparkCompute } from '../ports/spark-compute.ts';
import type { SparkSessionStore } from '../ports/spark-session-store.ts';
import type { Role } from '../domain/role.ts';
import type { Profile } from '../domain/profile.ts';

/** Spark's configuration: the pool registry, the sizing rules and the link templates (Config.spark). */
export interface SparkSettings {
  pools: SparkPool[];
  rules: SparkRules;
  /** Templates with `{appId}`, `{sessionId}`, `{server}`, `{owner}`; empty: no link. */
  historyUrl: string;
  monitoringUrl: string;
}

/** The Spark use cases' ports and settings; each declares the few it needs with a Pick. */
export interface SparkDeps {
  sparkSessions: SparkSessionStore;
  sparkCompute: SparkCompute;
  servers: ServerStore;
  notifier: Notifier;
  clock: Clock;
  ids: Ids;
  cursors: CursorCodec;
  roles: readonly Role[];
  /** The profile registry: only servers of a Spark profile may start sessions. */
  profiles: readonly Profile[];
  spark: SparkSettings;
  /** The API's public base URL, which executors' credentials sidecar asks for keys. */
  serverSettings: { apiUrl: string };
}

/** A session as the API shows it: the record without server id, with the server's name as `server`. */
export const viewSparkSession = (s: SparkSession) => ({
  id: s.id,
  server: s.serverName,
  owner: s.owner,
  team: s.team,
  appName: s.appName,
  appId: s.appId,
  pool: s.pool,
  ...(s.role ? { role: s.role } : {}),
  status: s.status,
  conf: s.conf,
  ...(s.podTemplate ? { podTemplate: s.podTemplate } : {}),
  warnings: s.warnings,
  blocked: s.blocked,
  links: s.links,
  cost: s.cost,
  executor: s.executor,
  dynamicAllocation: s.dynamicAllocation,
  maxExecutors: s.maxExecutors,
  initialExecutors: s.initialExecutors,
  createdAt: s.createdAt,
  ...(s.stoppedAt ? { stoppedAt: s.stoppedAt } : {}),
  ...(s.stopReason ? { stopReason: s.stopReason } : {}),
  ...(s.costSoFarUsd !== undefined ? { costSoFarUsd: s.costSoFarUsd } : {}),
});

/** The API's view of a Spark session. */
export type SparkSessionView = ReturnType<typeof viewSparkSession>;

/** A session id: short, lowercase letters and digits (it goes into pod names and labels), roughly time-ordered. */
export const newSparkSessionId = (ids: Pick<Ids, 'next'>): string =>
  ids
    .next('sp')
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 20);

/** The history and monitoring links of a session, from the configured templates. */
export const sparkLinksOf = (
  settings: Pick<SparkSettings, 'historyUrl' | 'monitoringUrl'>,
  s: Pick<SparkSession, 'appId' | 'id' | 'serverName' | 'owner'>,
) => {
  const values = { appId: s.appId, sessionId: s.id, server: s.serverName, owner: s.owner };
  return {
    history: fillLinkTemplate(settings.historyUrl, values),
    monitoring: fillLinkTemplate(settings.monitoringUrl, values),
  };
};

/** At most what a session cost up to an instant (domain/spark-usage.ts). */
export { sparkCostSoFar } from '../domain/spark-usage.ts';

/**
 * A session the caller may see: its owner, or an admin; anyone else gets the 404 an unknown id gets, so ids of
 * other people's sessions do not leak. With `serverId`, only that server's sessions count (the server-token twins).
 */
export const findSparkSession = async (
  deps: Pick<SparkDeps, 'sparkSessions'>,
  user: User,
  id: string,
  serverId?: string,
): Promise<SparkSession> => {
  const s = await deps.sparkSessions.getSession(id);
  if (!s || (s.owner !== user.id && !user.admin) || (serverId !== undefined && s.serverId !== serverId))
    throw new NotFoundError(`no Spark session '${id}'; GET /spark/sessions lists yours`);
  return s;
};

/** Non-admins may only name themselves as owner. */
export const checkOwnerFilter = (user: User, owner: string | undefined): void => {
  if (owner !== undefined && owner !== user.id && !user.admin)
    throw new ForbiddenError("only admins may list other users' Spark sessions");
};
