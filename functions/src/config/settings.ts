import type { ScheduleSettings } from '../use-cases/schedule-deps.ts';
import type { Profile } from '../domain/profile.ts';
import type { Role } from '../domain/role.ts';
import type { SparkPool, SparkRules } from '../domain/spark-session.ts';
import type { TemplateRegistry } from '../domain/table-templates.ts';
import type { AdminClaim, ClaimNames } from '../domain/user.ts';
import type { ObservabilitySettings } from '../observability/settings.ts';
import type { FoliumLimits } from '../use-cases/folium-deps.ts';
import type { NotifySettings } from '../use-cases/notify-deps.ts';
import { DEFAULT_RUN_SETTINGS, type RunSettings } from '../use-cases/run-deps.ts';
import type { ServerSettings } from '../use-cases/server-deps.ts';
import { readNotifyDestinations } from './notify-destinations.ts';
import { parseVariables } from './variable-docs.ts';
import { FUNCTION_VARIABLES, type FunctionVariables } from './variables.ts';
import { DEFAULT_LISTING_CACHE, type ListingCacheLimits } from '../use-cases/listing-cache.ts';

/** Everything the functions read from their environment, validated once. */
export interface Config {
  region: string;
  table: string;
  bucket: string;
  dynamoEndpoint?: string;
  s3Endpoint?: string;
  /** The key that signs list cursors; absent in functions that serve no list. */
  cursorSecret?: string;
  claimNames: ClaimNames;
  limits: FoliumLimits;
  /** What the notebooks function's listing cache holds (`maxItems` 0: no cache). */
  listingCache: ListingCacheLimits;
  runSettings: RunSettings;
  /** The profile registry servers and runs choose from. */
  profiles: Profile[];
  /** The role registry credentials are issued for (empty: none are). */
  roles: Role[];
  /** The data-tables panel's code templates, per catalog. */
  tableTemplates: TemplateRegistry;
  /** The longest session the broker issues, set explicitly (unset: each composition's own default). */
  credentialSessionCapSeconds?: number;
  /** Server limits and timings; `apiUrl` is empty until the public API URL is known. */
  serverSettings: ServerSettings;
  /** The old single Slack webhook; it is also the destination `slack` in `notify`. */
  slackWebhookUrl?: string;
  /** Where notices may go (named destinations) and the portal links they carry. */
  notify: NotifySettings;
  /** The EKS cluster servers run in (cloud only). */
  eks: {
    cluster?: string;
    endpoint?: string;
    certificateAuthority?: string;
    namespace: string;
    serviceAccount: string;
    publicUrl?: string;
    reporterImage: string;
  };
  /** EventBridge Scheduler's side of schedules (cloud only; local mode fires them from an in-process cron). */
  scheduleCalendar?: ScheduleCalendarSettings;
  /** The state machines (cloud only; local mode runs the ASL itself). */
  stateMachines: { run?: string; stopRun?: string; launchServer?: string };
  /** The log level the entry hands to logging and metrics. */
  observability: ObservabilitySettings;
  /** Spark sessions: the pool registry, the sizing rules, and the link templates (empty: no link). */
  spark: SparkSettings;
  /** Schedules' limits and defaults. */
  scheduleSettings: ScheduleSettings;
}

/** Spark sessions' configuration: pools, rules (the default pool is the first) and link templates. */
export interface SparkSettings {
  pools: SparkPool[];
  rules: SparkRules;
  /** The history server's link, with `{appId}`, `{sessionId}`, `{server}`, `{owner}`; empty: none. */
  historyUrl: string;
  /** The monitoring dashboard's link, with the same placeholders; empty: none. */
  monitoringUrl: string;
}

/** Where the cloud's Scheduler schedules live and what they invoke. */
export interface ScheduleCalendarSettings {
  groupName: string;
  /** The Scheduler execution role. */
  roleArn: string;
  /** The fire function. */
  targetArn: string;
  deadLetterArn: string;
}

/** Reads the profile registry from ORRERY_PROFILES_FILE or ORRERY_PROFILES (each mode its own formats). */
export type ProfileReader = (file: string | undefined, inline: string | undefined) => Profile[];

/** Reads the role registry from ORRERY_ROLES_FILE or ORRERY_ROLES (each mode its own formats). */
export type RoleReader = (file: string | undefined, inline: string | undefined) => Role[];

/** Reads the table templates from ORRERY_TABLE_TEMPLATES_FILE (each mode its own formats). */
export type TemplatesReader = (file: string | undefined) => TemplateRegistry;

/** Reads the Spark pools and rules from ORRERY_SPARK_POOLS_FILE (each mode its own formats). */
export type SparkPoolsReader = (file: string | undefined) => { pools: SparkPool[]; rules: SparkRules };

/** How a mode reads its registries: JSON only in the Lambdas, YAML or JSON locally. */
export interface RegistryReaders {
  profiles: ProfileReader;
  roles: RoleReader;
  templates: TemplatesReader;
  sparkPools: SparkPoolsReader;
}

const adminClaimOf = (text: string | undefined): AdminClaim | undefined => {
  if (!text) return undefined;
  const at = text.indexOf('=');
  return at < 0 ? { name: text } : { name: text.slice(0, at), value: text.slice(at + 1) };
};

const runSettingsOf = (e: FunctionVariables): RunSettings => ({
  ...DEFAULT_RUN_SETTINGS,
  runner: {
    ...DEFAULT_RUN_SETTINGS.runner,
    image: e.ORRERY_RUNNER_IMAGE,
    namespace: e.ORRERY_RUNNER_NAMESPACE,
    serviceAccount: e.ORRERY_RUNNER_SERVICE_ACCOUNT,
  },
  apiUrl: e.ORRERY_PUBLIC_API_URL ?? '',
  output: {
    maxOutputBytes: e.ORRERY_RUN_MAX_OUTPUT_BYTES,
    maxNotebookOutputBytes: e.ORRERY_RUN_MAX_NOTEBOOK_OUTPUT_BYTES,
  },
});

const serverSettingsOf = (e: FunctionVariables): ServerSettings => ({
  limitPerUser: e.ORRERY_SERVER_LIMIT,
  launch: { timeoutSeconds: e.ORRERY_LAUNCH_TIMEOUT_SECONDS, unschedulableSeconds: e.ORRERY_UNSCHEDULABLE_SECONDS },
  cull: {
    warnBeforeSeconds: e.ORRERY_CULL_WARN_SECONDS,
    heartbeatSeconds: e.ORRERY_CULL_HEARTBEAT_SECONDS,
    breakerShare: e.ORRERY_CULL_BREAKER_SHARE,
  },
  apiUrl: e.ORRERY_PUBLIC_API_URL ?? '',
  portalUrl: e.ORRERY_PORTAL_URL ?? '',
  progressWaitMs: e.ORRERY_PROGRESS_WAIT_MS,
  volumes: { unusedDays: e.ORRERY_VOLUME_UNUSED_DAYS, pricePerGiBMonth: e.ORRERY_VOLUME_PRICE_PER_GIB_MONTH },
});

// The pools file's rules (over the defaults), then the two variables, which win when set: an operator can change
// the threshold or the maximum age without editing the file the deploy compiled.
const sparkSettingsOf = (e: FunctionVariables, read: SparkPoolsReader): SparkSettings => {
  const { pools, rules } = read(e.ORRERY_SPARK_POOLS_FILE);
  return {
    pools,
    rules: {
      ...rules,
      dailyCostThresholdUsd: e.ORRERY_SPARK_DAILY_COST_THRESHOLD_USD ?? rules.dailyCostThresholdUsd,
      maxAgeSeconds: e.ORRERY_SPARK_MAX_AGE_SECONDS ?? rules.maxAgeSeconds,
    },
    historyUrl: e.ORRERY_SPARK_HISTORY_URL,
    monitoringUrl: e.ORRERY_SPARK_MONITORING_URL,
  };
};

const CALENDAR_VARIABLES = [
  'ORRERY_SCHEDULE_GROUP',
  'ORRERY_SCHEDULER_ROLE_ARN',
  'ORRERY_SCHEDULE_TARGET_ARN',
  'ORRERY_SCHEDULE_DLQ_ARN',
] as const;

// All four or none: with some only, schedules would be saved that Scheduler can never be told about.
const scheduleCalendarOf = (e: FunctionVariables): ScheduleCalendarSettings | undefined => {
  const missing = CALENDAR_VARIABLES.filter((name) => !e[name]);
  if (missing.length === CALENDAR_VARIABLES.length) return undefined;
  if (missing.length) {
    throw new Error(
      `configuration: set ${missing.join(', ')} too: ` +
        `the schedule calendar needs all of ${CALENDAR_VARIABLES.join(', ')}`,
    );
  }
  return {
    groupName: e.ORRERY_SCHEDULE_GROUP!,
    roleArn: e.ORRERY_SCHEDULER_ROLE_ARN!,
    targetArn: e.ORRERY_SCHEDULE_TARGET_ARN!,
    deadLetterArn: e.ORRERY_SCHEDULE_DLQ_ARN!,
  };
};

/**
 * The configuration from the functions' variables (FUNCTION_VARIABLES), with the profile and role registries read
 * as the mode reads them; a bad value stops start-up naming the variable and what it should be.
 */
export const configFrom = (env: Record<string, string | undefined>, read: RegistryReaders): Config => {
  const e = parseVariables(FUNCTION_VARIABLES, env);
  return {
    region: e.AWS_REGION,
    table: e.ORRERY_TABLE,
    bucket: e.ORRERY_BUCKET,
    dynamoEndpoint: e.ORRERY_DYNAMODB_ENDPOINT,
    s3Endpoint: e.ORRERY_S3_ENDPOINT,
    cursorSecret: e.ORRERY_CURSOR_SECRET,
    claimNames: {
      user: e.ORRERY_CLAIM_USER,
      name: e.ORRERY_CLAIM_NAME,
      teams: e.ORRERY_CLAIM_TEAMS,
      adminGroup: e.ORRERY_ADMIN_GROUP,
      adminClaim: adminClaimOf(e.ORRERY_ADMIN_CLAIM),
    },
    limits: {
      inlineBytes: e.ORRERY_INLINE_MAX_BYTES,
      uploadBytes: e.ORRERY_UPLOAD_MAX_BYTES,
      urlSeconds: e.ORRERY_URL_SECONDS,
      renderOutputBytes: e.ORRERY_RENDER_OUTPUT_MAX_BYTES,
    },
    listingCache: { ...DEFAULT_LISTING_CACHE, maxItems: e.ORRERY_LIST_CACHE_ITEMS },
    runSettings: runSettingsOf(e),
    profiles: read.profiles(e.ORRERY_PROFILES_FILE, e.ORRERY_PROFILES),
    roles: read.roles(e.ORRERY_ROLES_FILE, e.ORRERY_ROLES),
    tableTemplates: read.templates(e.ORRERY_TABLE_TEMPLATES_FILE),
    credentialSessionCapSeconds: e.ORRERY_CREDENTIALS_MAX_SESSION_SECONDS,
    serverSettings: serverSettingsOf(e),
    slackWebhookUrl: e.ORRERY_SLACK_WEBHOOK_URL,
    notify: {
      destinations: readNotifyDestinations(e.ORRERY_NOTIFY_DESTINATIONS, env, e.ORRERY_SLACK_WEBHOOK_URL),
      portalUrl: e.ORRERY_PORTAL_URL ?? '',
    },
    eks: {
      cluster: e.ORRERY_EKS_CLUSTER,
      endpoint: e.ORRERY_EKS_ENDPOINT,
      certificateAuthority: e.ORRERY_EKS_CA,
      namespace: e.ORRERY_SERVER_NAMESPACE,
      serviceAccount: e.ORRERY_SERVER_SERVICE_ACCOUNT,
      publicUrl: e.ORRERY_SERVER_PUBLIC_URL,
      reporterImage: e.ORRERY_REPORTER_IMAGE,
    },
    scheduleCalendar: scheduleCalendarOf(e),
    stateMachines: {
      run: e.ORRERY_RUN_STATE_MACHINE_ARN,
      stopRun: e.ORRERY_STOP_RUN_STATE_MACHINE_ARN,
      launchServer: e.ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN,
    },
    observability: { logLevel: e.ORRERY_LOG_LEVEL },
    spark: sparkSettingsOf(e, read.sparkPools),
    scheduleSettings: {
      maxPerUser: e.ORRERY_SCHEDULES_PER_USER,
      catchUpSeconds: e.ORRERY_SCHEDULE_CATCH_UP_SECONDS,
      maxCatchUp: e.ORRERY_SCHEDULE_MAX_CATCH_UP,
      portalUrl: e.ORRERY_PORTAL_URL ?? '',
    },
  };
};
