import type { Toleration } from './profile.ts';

// Spark sessions: the types every part shares. The sizing rules (executor shape, dynamic allocation, parallelism,
// blocked options, cost) live in spark-sizing.ts; where executors run is the SparkCompute port's business.

/** Where a session's executors run and what a core-hour there costs: one entry of the Spark pool registry. */
export interface SparkPool {
  name: string;
  /** The image executors run unless the user picks one of `allowedImages`. */
  image: string;
  allowedImages: string[];
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  /** US dollars per executor core-hour. */
  pricePerCoreHour: number;
}

/** An executor's shape in cores and GB: GiB as Spark writes it (`<n>g`, 1g = 1024m = 1024³ bytes). */
export interface ExecutorShape {
  cores: number;
  memoryGb: number;
}

/** The numbers the sizing rules use; each is configuration, with the defaults in DEFAULT_SPARK_RULES. */
export interface SparkRules {
  memoryPerCoreGb: number;
  recommended: ExecutorShape;
  medium: ExecutorShape;
  maximum: ExecutorShape;
  defaults: ExecutorShape & { instances: number };
  /** The most executors a session may have: `spark.executor.instances` past it is capped with a warning. */
  maxExecutors: number;
  executorAllocationRatio: number;
  /** `spark.dynamicAllocation.cachedExecutorIdleTimeout`, in seconds. */
  cachedExecutorIdleTimeoutSeconds: number;
  /** Added to the idle timeout for sessions from a notebook server (interactive users pause between cells). */
  interactiveExtraIdleSeconds: number;
  /** Shuffle partitions and default parallelism = this × executors × cores. */
  parallelismPerCore: number;
  /** Parallelism when the product above is 0. */
  fallbackParallelism: number;
  /** A session is high-cost when its maximum hourly cost × 24 exceeds this, in US dollars. */
  dailyCostThresholdUsd: number;
  /** The pool a request without one gets. */
  defaultPool: string;
  /** The culler stops sessions older than this. */
  maxAgeSeconds: number;
}

/** What a user asks for: everything optional but the conf map (possibly empty). */
export interface SparkRequest {
  appName?: string;
  pool?: string;
  conf: Record<string, string>;
  /** From a notebook server (always, for sessions; the preview says which it prices). */
  interactive: boolean;
}

/** The estimated cost of a session, in US dollars. */
export interface SparkCost {
  /** At the initial executors (or the fixed instances without dynamic allocation). */
  hourlyUsd: number;
  /** At the maximum executors. */
  maxHourlyUsd: number;
  /** `maxHourlyUsd` × 24. */
  dailyMaxUsd: number;
  /** `dailyMaxUsd` exceeds the rules' daily threshold. */
  highCost: boolean;
}

/** The sizing rules' answer: the conf to give Spark (before placement), and what was changed or refused. */
export interface SparkSizing {
  pool: SparkPool;
  appName: string;
  executor: ExecutorShape;
  dynamicAllocation: boolean;
  minExecutors: number;
  maxExecutors: number;
  initialExecutors: number;
  /** The image executors run (the pool's, or an allowed one the user named). */
  image: string;
  conf: Record<string, string>;
  /** Options dropped, by key. */
  blocked: string[];
  /** One sentence per change or refusal, naming the option. */
  warnings: string[];
  cost: SparkCost;
}

/** A session's links: the Spark UI, the history server and a monitoring dashboard (empty when not configured). */
export interface SparkLinks {
  ui: string;
  history: string;
  monitoring: string;
}

/** Why a session ended. */
export type SparkStopReason = 'owner' | 'server-ended' | 'max-age';

/** One Spark session as stored: who, where, what it was given, and while it lasts, what it may cost. */
export interface SparkSession {
  /** Short, DNS-safe (lowercase letters and digits): it goes into pod names and labels. */
  id: string;
  /** `spark-<id>`, set as `spark.app.id` so links can name it before Spark starts. */
  appId: string;
  serverId: string;
  serverName: string;
  owner: string;
  /** The team its cost is counted against: the role's team, else the owner's first team, else `-`. */
  team: string;
  appName: string;
  pool: string;
  role?: string;
  executor: ExecutorShape;
  dynamicAllocation: boolean;
  maxExecutors: number;
  initialExecutors: number;
  /** The whole conf the notebook's SparkSession is built from (sizing and placement). */
  conf: Record<string, string>;
  /** The executor pod template the driver reads (EKS only), written to a file by the notebook helper. */
  podTemplate?: Record<string, unknown>;
  warnings: string[];
  blocked: string[];
  links: SparkLinks;
  cost: SparkCost;
  status: 'ACTIVE' | 'STOPPED';
  createdAt: string;
  stoppedAt?: string;
  stopReason?: SparkStopReason;
  /** At most this much, in US dollars: `maxHourlyUsd` × the hours it was active (set when it stops). */
  costSoFarUsd?: number;
}
