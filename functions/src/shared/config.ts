import * as z from 'zod';
import { CLUSTER_DEFAULTS } from '../adapters/k8s/cluster-setup.ts';
import { DEFAULT_CLAIM_NAMES, isUsableGroupName, type AdminClaim, type ClaimNames } from '../domain/user.ts';
import { DEFAULT_LIMITS, type FoliumLimits } from '../use-cases/folium-deps.ts';
import { DEFAULT_RENDER_LIMITS } from '../domain/rendering/render-limits.ts';
import { DEFAULT_CULL_BREAKER_SHARE } from '../domain/cull-breaker.ts';
import { DEFAULT_CULL_SETTINGS } from '../domain/cull-policy.ts';
import { DEFAULT_LAUNCH_SETTINGS } from '../domain/launch.ts';
import type { Profile } from '../domain/profile.ts';
import { DEFAULT_RUN_SETTINGS, type RunSettings } from '../use-cases/run-deps.ts';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from '../use-cases/server-deps.ts';
import { loadProfiles } from './profiles-config.ts';

const bytes = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const seconds = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);

const EnvSchema = z.object({
  AWS_REGION: z.string().default('us-east-1'),
  ORRERY_TABLE: z.string().min(1, 'set ORRERY_TABLE to the DynamoDB table name'),
  ORRERY_BUCKET: z.string().min(1, 'set ORRERY_BUCKET to the S3 bucket for notebook bodies'),
  ORRERY_DYNAMODB_ENDPOINT: z.url().optional(),
  ORRERY_S3_ENDPOINT: z.url().optional(),
  // Only the functions that serve lists are given one (the API's notebooks, runs and admin groups; local mode).
  ORRERY_CURSOR_SECRET: z.string().min(16, 'set ORRERY_CURSOR_SECRET to at least 16 random characters').optional(),
  ORRERY_CLAIM_USER: z.string().default(DEFAULT_CLAIM_NAMES.user),
  ORRERY_CLAIM_NAME: z.string().default(DEFAULT_CLAIM_NAMES.name),
  ORRERY_CLAIM_TEAMS: z.string().default(DEFAULT_CLAIM_NAMES.teams),
  ORRERY_ADMIN_GROUP: z
    .string()
    .refine((g) => g === '' || isUsableGroupName(g), 'a group name without spaces or commas (empty: no group makes admins)')
    .default(DEFAULT_CLAIM_NAMES.adminGroup),
  // `claim` (admin when it is true) or `claim=value` (admin when it is, or lists, the value).
  ORRERY_ADMIN_CLAIM: z.string().regex(/^([^=\s]+(=.+)?)?$/, 'a claim name, or claim=value').optional(),
  ORRERY_INLINE_MAX_BYTES: bytes(DEFAULT_LIMITS.inlineBytes),
  ORRERY_UPLOAD_MAX_BYTES: bytes(DEFAULT_LIMITS.uploadBytes),
  ORRERY_URL_SECONDS: z.coerce.number().int().min(60).max(43_200).default(DEFAULT_LIMITS.urlSeconds),
  ORRERY_RENDER_OUTPUT_MAX_BYTES: bytes(DEFAULT_RENDER_LIMITS.maxOutputBytes),
  ORRERY_PROFILES_FILE: z.string().optional(),
  ORRERY_PROFILES: z.string().optional(),
  ORRERY_RUN_STATE_MACHINE_ARN: z.string().optional(),
  ORRERY_STOP_RUN_STATE_MACHINE_ARN: z.string().optional(),
  ORRERY_RUNNER_IMAGE: z.string().default(DEFAULT_RUN_SETTINGS.runner.image),
  ORRERY_RUNNER_NAMESPACE: z.string().default(CLUSTER_DEFAULTS.runnerNamespace),
  ORRERY_RUNNER_SERVICE_ACCOUNT: z.string().default(DEFAULT_RUN_SETTINGS.runner.serviceAccount),
  ORRERY_RUN_MAX_OUTPUT_BYTES: bytes(DEFAULT_RUN_SETTINGS.output.maxOutputBytes),
  ORRERY_RUN_MAX_NOTEBOOK_OUTPUT_BYTES: bytes(DEFAULT_RUN_SETTINGS.output.maxNotebookOutputBytes),
  ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN: z.string().optional(),
  ORRERY_PUBLIC_API_URL: z.url().optional(),
  ORRERY_SERVER_LIMIT: z.coerce.number().int().min(1).max(100).default(DEFAULT_SERVER_SETTINGS.limitPerUser),
  // The launch workflow's own timeout is 2 h; the launch must fail well inside it so its Catch records why.
  ORRERY_LAUNCH_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3600).default(DEFAULT_LAUNCH_SETTINGS.timeoutSeconds),
  ORRERY_UNSCHEDULABLE_SECONDS: seconds(DEFAULT_LAUNCH_SETTINGS.unschedulableSeconds, 0),
  ORRERY_CULL_WARN_SECONDS: seconds(DEFAULT_CULL_SETTINGS.warnBeforeSeconds, 0),
  ORRERY_CULL_HEARTBEAT_SECONDS: seconds(DEFAULT_CULL_SETTINGS.heartbeatSeconds, 60),
  // A share of running servers, not a percentage: 0.2 trips the culler's breaker when more than a fifth are silent.
  ORRERY_CULL_BREAKER_SHARE: z.coerce.number().min(0, 'use a share from 0 to 1 (0.2 is a fifth)').max(1, 'use a share from 0 to 1 (0.2 is a fifth; 1 turns the breaker off)').default(DEFAULT_CULL_BREAKER_SHARE),
  ORRERY_PROGRESS_WAIT_MS: z.coerce.number().int().min(0).max(25_000).default(DEFAULT_SERVER_SETTINGS.progressWaitMs),
  ORRERY_SLACK_WEBHOOK_URL: z.url().optional(),
  ORRERY_EKS_CLUSTER: z.string().optional(),
  ORRERY_EKS_ENDPOINT: z.url().optional(),
  ORRERY_EKS_CA: z.string().optional(),
  ORRERY_SERVER_NAMESPACE: z.string().default(CLUSTER_DEFAULTS.serverNamespace),
  ORRERY_SERVER_SERVICE_ACCOUNT: z.string().default(CLUSTER_DEFAULTS.serverServiceAccount),
  ORRERY_SERVER_PUBLIC_URL: z.url().optional(),
  ORRERY_REPORTER_IMAGE: z.string().min(1).default('orrery/notebook-server:latest'),
});

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
  runSettings: RunSettings;
  /** The profile registry servers and runs choose from. */
  profiles: Profile[];
  /** Server limits and timings; `apiUrl` is empty until the public API URL is known. */
  serverSettings: ServerSettings;
  /** Where culler notices go; none means they are only logged. */
  slackWebhookUrl?: string;
  /** The EKS cluster servers run in (cloud only). */
  eks: { cluster?: string; endpoint?: string; certificateAuthority?: string; namespace: string; serviceAccount: string; publicUrl?: string; reporterImage: string };
  /** The state machines (cloud only; local mode runs the ASL itself). */
  stateMachines: { run?: string; stopRun?: string; launchServer?: string };
}

const adminClaimOf = (text: string | undefined): AdminClaim | undefined => {
  if (!text) return undefined;
  const at = text.indexOf('=');
  return at < 0 ? { name: text } : { name: text.slice(0, at), value: text.slice(at + 1) };
};

/** Reads and validates the environment once; a bad value stops start-up with what to set. */
export const loadConfig = (env: Record<string, string | undefined>): Config => {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
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
    runSettings: {
      ...DEFAULT_RUN_SETTINGS,
      runner: { ...DEFAULT_RUN_SETTINGS.runner, image: e.ORRERY_RUNNER_IMAGE, namespace: e.ORRERY_RUNNER_NAMESPACE, serviceAccount: e.ORRERY_RUNNER_SERVICE_ACCOUNT },
      output: { maxOutputBytes: e.ORRERY_RUN_MAX_OUTPUT_BYTES, maxNotebookOutputBytes: e.ORRERY_RUN_MAX_NOTEBOOK_OUTPUT_BYTES },
    },
    profiles: loadProfiles(e.ORRERY_PROFILES_FILE, e.ORRERY_PROFILES),
    serverSettings: {
      limitPerUser: e.ORRERY_SERVER_LIMIT,
      launch: { timeoutSeconds: e.ORRERY_LAUNCH_TIMEOUT_SECONDS, unschedulableSeconds: e.ORRERY_UNSCHEDULABLE_SECONDS },
      cull: { warnBeforeSeconds: e.ORRERY_CULL_WARN_SECONDS, heartbeatSeconds: e.ORRERY_CULL_HEARTBEAT_SECONDS, breakerShare: e.ORRERY_CULL_BREAKER_SHARE },
      apiUrl: e.ORRERY_PUBLIC_API_URL ?? '',
      progressWaitMs: e.ORRERY_PROGRESS_WAIT_MS,
    },
    slackWebhookUrl: e.ORRERY_SLACK_WEBHOOK_URL,
    eks: { cluster: e.ORRERY_EKS_CLUSTER, endpoint: e.ORRERY_EKS_ENDPOINT, certificateAuthority: e.ORRERY_EKS_CA, namespace: e.ORRERY_SERVER_NAMESPACE, serviceAccount: e.ORRERY_SERVER_SERVICE_ACCOUNT, publicUrl: e.ORRERY_SERVER_PUBLIC_URL, reporterImage: e.ORRERY_REPORTER_IMAGE },
    stateMachines: { run: e.ORRERY_RUN_STATE_MACHINE_ARN, stopRun: e.ORRERY_STOP_RUN_STATE_MACHINE_ARN, launchServer: e.ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN },
  };
};
