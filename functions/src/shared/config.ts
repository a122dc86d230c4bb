import { z } from 'zod';
import { DEFAULT_CLAIM_NAMES, type ClaimNames } from '../domain/user.ts';
import { DEFAULT_LIMITS, type FoliumLimits } from '../use-cases/folium-deps.ts';
import { DEFAULT_RUN_SETTINGS, type RunSettings } from '../use-cases/run-deps.ts';

const bytes = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const EnvSchema = z.object({
  AWS_REGION: z.string().default('us-east-1'),
  ORRERY_TABLE: z.string().min(1, 'set ORRERY_TABLE to the DynamoDB table name'),
  ORRERY_BUCKET: z.string().min(1, 'set ORRERY_BUCKET to the S3 bucket for notebook bodies'),
  ORRERY_DYNAMODB_ENDPOINT: z.url().optional(),
  ORRERY_S3_ENDPOINT: z.url().optional(),
  ORRERY_CURSOR_SECRET: z.string().min(16, 'set ORRERY_CURSOR_SECRET to at least 16 random characters'),
  ORRERY_CLAIM_USER: z.string().default(DEFAULT_CLAIM_NAMES.user),
  ORRERY_CLAIM_NAME: z.string().default(DEFAULT_CLAIM_NAMES.name),
  ORRERY_CLAIM_TEAMS: z.string().default(DEFAULT_CLAIM_NAMES.teams),
  ORRERY_ADMIN_GROUP: z.string().default(DEFAULT_CLAIM_NAMES.adminGroup),
  ORRERY_INLINE_MAX_BYTES: bytes(DEFAULT_LIMITS.inlineBytes),
  ORRERY_UPLOAD_MAX_BYTES: bytes(DEFAULT_LIMITS.uploadBytes),
  ORRERY_URL_SECONDS: z.coerce.number().int().min(60).max(43_200).default(DEFAULT_LIMITS.urlSeconds),
  ORRERY_RUN_PROFILES: z.string().optional(),
  ORRERY_RUN_STATE_MACHINE_ARN: z.string().optional(),
  ORRERY_STOP_RUN_STATE_MACHINE_ARN: z.string().optional(),
  ORRERY_RUNNER_IMAGE: z.string().default(DEFAULT_RUN_SETTINGS.runner.image),
  ORRERY_RUNNER_NAMESPACE: z.string().default(DEFAULT_RUN_SETTINGS.runner.namespace),
  ORRERY_RUNNER_SERVICE_ACCOUNT: z.string().default(DEFAULT_RUN_SETTINGS.runner.serviceAccount),
});

/** Everything the functions read from their environment, validated once. */
export interface Config {
  region: string;
  table: string;
  bucket: string;
  dynamoEndpoint?: string;
  s3Endpoint?: string;
  cursorSecret: string;
  claimNames: ClaimNames;
  limits: FoliumLimits;
  runSettings: RunSettings;
  /** The run and stop-run state machines (cloud only; local mode runs the ASL itself). */
  stateMachines: { run?: string; stopRun?: string };
}

const ProfilesSchema = z
  .record(z.string().regex(/^[a-z0-9-]{1,40}$/), z.object({ cpu: z.string().default('1'), memory: z.string().default('2Gi'), gpus: z.number().int().min(0).default(0), nodeSelector: z.record(z.string(), z.string()).default({}) }))
  .refine((p) => Object.keys(p).length > 0, 'name at least one profile');

// A JSON object of slug → { cpu, memory, gpus, nodeSelector }; the first is the default.
const parseProfiles = (text: string): RunSettings['profiles'] => {
  const parsed = ProfilesSchema.safeParse((() => { try { return JSON.parse(text); } catch { return null; } })());
  if (!parsed.success) throw new Error(`configuration: ORRERY_RUN_PROFILES must be a JSON object of profile slug to { cpu, memory, gpus, nodeSelector }: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
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
    claimNames: { user: e.ORRERY_CLAIM_USER, name: e.ORRERY_CLAIM_NAME, teams: e.ORRERY_CLAIM_TEAMS, adminGroup: e.ORRERY_ADMIN_GROUP },
    limits: { inlineBytes: e.ORRERY_INLINE_MAX_BYTES, uploadBytes: e.ORRERY_UPLOAD_MAX_BYTES, urlSeconds: e.ORRERY_URL_SECONDS },
    runSettings: {
      ...DEFAULT_RUN_SETTINGS,
      profiles: e.ORRERY_RUN_PROFILES ? parseProfiles(e.ORRERY_RUN_PROFILES) : DEFAULT_RUN_SETTINGS.profiles,
      runner: { ...DEFAULT_RUN_SETTINGS.runner, image: e.ORRERY_RUNNER_IMAGE, namespace: e.ORRERY_RUNNER_NAMESPACE, serviceAccount: e.ORRERY_RUNNER_SERVICE_ACCOUNT },
    },
    stateMachines: { run: e.ORRERY_RUN_STATE_MACHINE_ARN, stopRun: e.ORRERY_STOP_RUN_STATE_MACHINE_ARN },
  };
};
