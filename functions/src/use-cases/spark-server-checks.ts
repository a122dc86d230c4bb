import { ConflictError } from '../domain/errors.ts';
import type { Server } from '../domain/server.ts';
import type { SparkDeps } from './spark-deps.ts';

/** What the Spark checks of a server need: the profile registry. */
export type SparkServerCheckDeps = Pick<SparkDeps, 'profiles'>;

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
