import * as z from 'zod';
import { ENVIRONMENTS, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS } from '../domain/role.ts';
import { PageQuery } from './schemas.ts';

// The role registry's schema (what the functions check at start-up, and what the deploy reads to grant the broker
// exactly the registry's roles) and the credentials routes' schemas.

const SESSION_BOUNDS = `a whole number of seconds from ${MIN_SESSION_SECONDS} to ${MAX_SESSION_SECONDS}`;

/** One entry of the role registry, as written in ORRERY_ROLES_FILE or ORRERY_ROLES. */
export const RoleEntrySchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/, 'a slug: lowercase letters, digits, inner dashes (≤ 64)'),
    roleArn: z
      .string()
      .regex(
        /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
        'an IAM role ARN such as arn:aws:iam::123456789012:role/analyst',
      ),
    account: z.string().min(1, "the account's alias, shown to users").max(64),
    environment: z.enum(ENVIRONMENTS, `one of ${ENVIRONMENTS.join(', ')}`),
    maxSessionSeconds: z
      .number(SESSION_BOUNDS)
      .int(SESSION_BOUNDS)
      .min(MIN_SESSION_SECONDS, SESSION_BOUNDS)
      .max(MAX_SESSION_SECONDS, SESSION_BOUNDS),
    teams: z.array(z.string().min(1)).default([]),
    users: z.array(z.string().min(1)).default([]),
    description: z.string().default(''),
  })
  .refine((r) => r.teams.length + r.users.length > 0, {
    message: "name the teams or users that may assume it (teams: ['*'] for everyone)",
    path: ['teams'],
  });

/** The role registry: a list of roles with unique names (empty: no credentials are issued). */
export const RoleRegistrySchema = z
  .array(RoleEntrySchema)
  .refine((rs) => new Set(rs.map((r) => r.name)).size === rs.length, 'role names must be unique');

/** POST /credentials. */
export const IssueCredentialsBody = z.strictObject({
  role: z.string().min(1).max(64).describe('the role to assume (GET /credentials/roles)'),
  durationSeconds: z
    .number()
    .optional()
    .describe(
      `how long the keys last, in whole seconds: ${MIN_SESSION_SECONDS} to the role's maxSessionSeconds; ` +
        'default 3600 (or the maximum, when lower)',
    ),
});

/** GET /credentials/log and GET /admin/credentials. */
export const CredentialLogQuery = PageQuery;

/** A role as GET /credentials/roles shows it. */
export const RoleSchema = z.object({
  name: z.string(),
  roleArn: z.string(),
  account: z.string().describe("the account's alias"),
  environment: z.enum(ENVIRONMENTS),
  maxSessionSeconds: z.number().describe('the longest session POST /credentials issues for it'),
  description: z.string(),
});

/** Temporary AWS credentials, as POST /credentials answers once; they are never stored or logged. */
export const IssuedCredentialsSchema = z.object({
  accessKeyId: z.string(),
  secretAccessKey: z.string(),
  sessionToken: z.string(),
  expiration: z.string().describe('when the keys stop working (ISO-8601)'),
  role: z.string(),
  account: z.string(),
  sourceIdentity: z.string().describe('what CloudTrail shows as the source identity of every call made with them'),
});

/** One entry of the credential audit log: who got keys for which role, why and until when; never the keys. */
export const CredentialIssueSchema = z.object({
  id: z.string(),
  issuedAt: z.string(),
  user: z.string(),
  team: z.string().nullable().describe('the team the session is tagged with'),
  role: z.string(),
  roleArn: z.string(),
  account: z.string(),
  purpose: z.enum(['interactive', 'server', 'spark', 'run']),
  serverId: z.string().nullable(),
  runId: z.string().nullable(),
  sourceIdentity: z.string(),
  expiration: z.string(),
  durationSeconds: z.number(),
});

/** POST /servers/{name}/credentials: an empty object; the server's role decides what is issued. */
export const ServerCredentialsBody = z
  .strictObject({
    session: z
      .string()
      .regex(/^[a-z0-9]{1,40}$/, 'must be a Spark session id: lowercase letters and digits')
      .optional()
      .describe("a Spark session of this server: keys for the session's role (its executors' sidecar sends it)"),
  })
  .describe("empty: the server's current role decides; with a session, the session's role");

/** POST /runs/{id}/credentials: the run's role decides, fixed when it started. */
export const RunCredentialsBody = z.strictObject({}).describe("empty: the run's role decides");
