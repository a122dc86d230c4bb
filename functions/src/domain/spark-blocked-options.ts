import type { SparkPool } from './spark-session.ts';

// The options a user may not set on a Spark session: Orrery sets them itself (where Spark runs, its ids and ports,
// the image and how it is pulled, how pods authenticate, where executors are placed and how they are labelled) or
// they would hand executors other AWS keys than the session's role. Each one given is dropped with a warning naming
// it; the rest of the user's conf passes through.

const IMAGE_KEY = 'spark.kubernetes.container.image';
// Spark lets this one override the image above for executors, so it is held to the same rule (the issue names only
// the first; letting the second through would run any image).
const EXECUTOR_IMAGE_KEY = 'spark.kubernetes.executor.container.image';

/** The options always dropped, by exact key. */
export const BLOCKED_SPARK_OPTIONS: readonly string[] = [
  'spark.master',
  'spark.app.id',
  'spark.ui.port',
  'spark.executorEnv.AWS_ACCESS_KEY_ID',
  'spark.executorEnv.AWS_SECRET_ACCESS_KEY',
  'spark.executorEnv.AWS_SESSION_TOKEN',
  'spark.executorEnv.AWS_DEFAULT_REGION',
  'spark.kubernetes.namespace',
  'spark.kubernetes.container.image.pullPolicy',
  'spark.kubernetes.pyspark.pythonVersion',
  // Placement. Orrery sets these to place executors on the pool (the pod template carries its nodeSelector,
  // tolerations and the credentials sidecar), to make the server pod their owner (so they die with it), to reach the
  // driver through the session's Service on fixed ports, and to name their pods; a user value would put executors
  // off the pool, leave them orphaned, or cut them off from the driver. (The notebook helper sets podTemplateFile
  // itself, to the file it writes from the session's podTemplate, after the conf is sized.)
  'spark.kubernetes.executor.podTemplateFile',
  'spark.kubernetes.driver.podTemplateFile',
  'spark.kubernetes.executor.podTemplateContainerName',
  'spark.kubernetes.driver.pod.name',
  'spark.kubernetes.executor.podNamePrefix',
  'spark.driver.host',
  'spark.driver.port',
  'spark.blockManager.port',
  'spark.driver.blockManager.port',
];

/** The prefixes whose every option is dropped. */
export const BLOCKED_SPARK_PREFIXES: readonly string[] = [
  'spark.kubernetes.authenticate.',
  // Placement, as above: node selectors would override the pool's, and the orrery.dev/ labels are how teardown
  // (DELETE, the server's stop and the culler) finds a session's executors, so a user value would hide them.
  'spark.kubernetes.node.selector.',
  'spark.kubernetes.executor.node.selector.',
  'spark.kubernetes.executor.label.orrery.dev/',
];

/** The user's conf once screened: what passes, what was dropped, why, and the image executors run. */
export interface ScreenedOptions {
  passed: Record<string, string>;
  blocked: string[];
  warnings: string[];
  image: string;
}

const isBlocked = (key: string): boolean =>
  BLOCKED_SPARK_OPTIONS.includes(key) || BLOCKED_SPARK_PREFIXES.some((prefix) => key.startsWith(prefix));

const allowedImage = (pool: SparkPool, image: string): boolean =>
  image === pool.image || pool.allowedImages.includes(image);

/**
 * Drops the blocked options of `conf`, each with one warning naming it. An image option passes only when it names
 * the pool's image or one the pool allows; the image executors run is then that one, else the pool's.
 */
export const screenSparkOptions = (conf: Readonly<Record<string, string>>, pool: SparkPool): ScreenedOptions => {
  const out: ScreenedOptions = { passed: {}, blocked: [], warnings: [], image: pool.image };
  for (const [key, value] of Object.entries(conf)) {
    if (key === IMAGE_KEY || key === EXECUTOR_IMAGE_KEY) {
      if (allowedImage(pool, value)) {
        out.passed[key] = value;
        continue;
      }
      const allowed = [pool.image, ...pool.allowedImages].join(', ');
      out.blocked.push(key);
      out.warnings.push(`${key} was dropped: '${value}' is not an image pool '${pool.name}' allows (${allowed})`);
    } else if (isBlocked(key)) {
      out.blocked.push(key);
      out.warnings.push(`${key} was dropped: Orrery sets it for every session`);
    } else {
      out.passed[key] = value;
    }
  }
  // Spark gives the executor key precedence, so the image executors run is decided in that order.
  return { ...out, image: out.passed[EXECUTOR_IMAGE_KEY] ?? out.passed[IMAGE_KEY] ?? pool.image };
};
