import { ConflictError, ForbiddenError } from '../domain/errors.ts';
import { holdsRole } from '../domain/role.ts';
import type { Server } from '../domain/server.ts';
import type { SparkDeps } from './spark-deps.ts';

/** What the Spark checks of a server need: the profile and role registries. */
export type SparkServerCheckDeps = Pick<SparkDeps, 'profiles' | 'roles'>;

/**
 * Refuses (409 `spark_not_enabled`) a server whose profile does not offer Spark, or is no longer configured: its pod
 * has no Spark driver's service account, so executors could not be started from it. The message lists the Spark
 * profiles to launch a server of instead.
 */
export const checkSparkProfile = (deps: SparkServerCheckDeps, server: Pick<Server, 'name' | 'profile'>): void => {
  const profile = deps.profiles.find((p) => p.slug === server.profile);
  if (profile?.spark) return;
  const spark = deps.profiles.filter((p) => p.spark).map((p) => p.slug);
  const why = profile ? 'does not offer Spark' : 'is no longer configured';
  const next = spark.length
    ? `launch a server of a Spark profile (${spark.join(', ')}) and start Spark there`
    : 'no profile offers Spark here: ask an admin to enable it on one';
  throw new ConflictError(
    `server '${server.name}' runs profile '${server.profile}', which ${why}: ${next}`,
    'spark_not_enabled',
  );
};

/**
 * Refuses (403) a session role the owner does not hold by the teams kept with the server (set at launch and at each
 * PUT role): executors' keys are judged by those, not by the caller's teams now, so such a session would start and
 * its executors never get keys. No role: nothing to check.
 */
export const checkSparkRoleForServer = (
  deps: SparkServerCheckDeps,
  server: Pick<Server, 'name' | 'owner' | 'ownerTeams'>,
  roleName: string | undefined,
): void => {
  if (!roleName) return;
  const owner = { id: server.owner, name: server.owner, teams: [...(server.ownerTeams ?? [])], admin: false };
  const role = deps.roles.find((r) => r.name === roleName);
  if (role && holdsRole(owner, role)) return;
  const teams = owner.teams.length ? owner.teams.join(', ') : 'none';
  throw new ForbiddenError(
    `role '${roleName}' is not held by the teams kept with server '${server.name}' (${teams}), which its executors' ` +
      `keys are judged by: set the server's role (PUT /servers/${server.name}/role) to refresh them, or relaunch it`,
  );
};
