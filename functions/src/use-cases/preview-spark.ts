import { roleFor } from '../domain/role.ts';
import { sizeSpark } from '../domain/spark-sizing.ts';
import type { User } from '../domain/user.ts';
import { findServer } from './server-access.ts';
import type { SparkDeps } from './spark-deps.ts';
import { checkSparkProfile } from './spark-server-checks.ts';

/** What previewing needs: the pools and rules, the role registry, and the caller's servers when one is named. */
export type PreviewSparkDeps = Pick<SparkDeps, 'spark' | 'roles' | 'servers' | 'profiles'>;

/** What a session would be given, asked of POST /spark/preview. */
export interface SparkRequestInput {
  appName?: string;
  pool?: string;
  conf?: Record<string, string>;
  role?: string;
}

/**
 * POST /spark/preview: the conf, executors and cost a session would get, starting nothing.
 * 1. A named server must be the caller's (404 otherwise) and of a Spark profile (409 `spark_not_enabled`); none is
 *    needed (the portal previews before a launch).
 * 2. A named role must be one the caller holds (403, as everywhere a role is named).
 * 3. Size it as a notebook server's session (interactive: every session comes from one), with the configured pools
 *    and rules (an unknown pool is a 400 listing the known ones).
 */
export const previewSpark = async (
  deps: PreviewSparkDeps,
  input: SparkRequestInput & { user: User; server?: string },
) => {
  if (input.server) checkSparkProfile(deps, await findServer(deps, input.user, input.server));
  if (input.role) roleFor(input.user, deps.roles, input.role);
  const sizing = sizeSpark(
    { appName: input.appName, pool: input.pool, conf: input.conf ?? {}, interactive: true },
    deps.spark.pools,
    deps.spark.rules,
  );
  return {
    appName: sizing.appName,
    pool: sizing.pool.name,
    image: sizing.image,
    conf: sizing.conf,
    warnings: sizing.warnings,
    blocked: sizing.blocked,
    executor: sizing.executor,
    dynamicAllocation: sizing.dynamicAllocation,
    minExecutors: sizing.minExecutors,
    maxExecutors: sizing.maxExecutors,
    initialExecutors: sizing.initialExecutors,
    cost: sizing.cost,
  };
};
