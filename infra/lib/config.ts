import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CLUSTER_DEFAULTS, ClusterNetworkSchema, NamespaceName } from '#functions/contracts';

// The functions refuse an admin group with spaces or commas at cold start; synth refuses it first.
const GROUP_NAME = z.string().regex(/^[^\s,]*$/, 'a group name or id without spaces or commas');

const Identity = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('cognito'),
    adminGroup: GROUP_NAME.default('orrery-admins'),
    callbackUrls: z.array(z.url()).default([]),
  }),
  z.object({
    kind: z.literal('oidc'),
    issuer: z.url(),
    audience: z.array(z.string().min(1)).min(1),
    /** The portal's client id at the IdP (a public client with PKCE); defaults to the first audience. */
    clientId: z.string().min(1).optional(),
    scope: z.string().default('openid email profile'),
    /** Endpoints the portal uses; absent ones it finds by OIDC discovery at the issuer. */
    authorizationEndpoint: z.url().optional(),
    tokenEndpoint: z.url().optional(),
    logoutEndpoint: z.url().optional(),
    claims: z
      .object({
        user: z.string().default('sub'),
        name: z.string().default('name'),
        teams: z.string().default('groups'),
        /** Members of this group (a name or the IdP's group id) are admins; '' when only `admin` makes admins. */
        adminGroup: GROUP_NAME.default('orrery-admins'),
        /** A dedicated admin claim: `claim` (admin when true) or `claim=value` (admin when it is or lists value). */
        admin: z
          .string()
          .regex(/^[^=\s]+(=.+)?$/, 'a claim name, or claim=value')
          .optional(),
      })
      .prefault({}),
  }),
]);

/** Why eks.namespace is refused: it names the two fields that replaced it. */
export const EKS_NAMESPACE_REPLACED =
  'replaced by eks.serverNamespace and eks.runnerNamespace (servers and runner Jobs now live in separate namespaces, ' +
  'by default orrery-servers and orrery-runs): remove eks.namespace and set those two if the defaults do not suit';

/** Why portal.domainName and portal.certificateArn are set together or not at all. */
export const PORTAL_DOMAIN_PAIR =
  'set domainName and certificateArn together or neither: CloudFront serves a custom domain only with ' +
  'an ACM certificate for it in us-east-1, and without one the portal stays on its CloudFront name';

/** A token-bucket throttle: steady requests per second and the burst above it. */
const Throttle = z.object({ rateLimit: z.number().positive(), burstLimit: z.number().int().min(0) });

/** The HTTP API's throttles and the render functions' reserved concurrency (explained in the README). */
const Api = z.object({
  throttle: Throttle.default({ rateLimit: 100, burstLimit: 200 }),
  // Every server reports once per 5 minutes: 20 a second is room for thousands of servers, and a flood of this
  // unauthenticated route costs the servers function at most that much.
  activityThrottle: Throttle.default({ rateLimit: 20, burstLimit: 40 }),
  // Each of the two functions that render (notebooks, runs) may run this many at once and no more, so one route
  // cannot take the account's concurrency; null reserves none (for accounts with a small concurrency quota).
  renderConcurrency: z.number().int().min(1).nullable().default(25),
});

/** The web ACL on the CloudFront distribution: a company one by ARN, or one Orrery makes in us-east-1. */
const Waf = z.object({
  webAclArn: z
    .string()
    .startsWith(
      'arn:aws:wafv2:us-east-1:',
      'a WAFv2 web ACL of CLOUDFRONT scope (arn:aws:wafv2:us-east-1:…:global/webacl/…)',
    )
    .optional(),
  /**
   * Requests to /api/* one address may make in 5 minutes before the rate-based rule answers it 429 (when Orrery
   * makes the ACL): 20 a second on average, room for an office behind one address with run pages polling.
   */
  rateLimit: z.number().int().min(10).default(6000),
});

/** The one file a platform team fills in (infra/orrery.config.json); every field is explained in the README. */
export const InfraConfigSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,20}$/, 'a short lowercase prefix for resource names')
    .default('orrery'),
  env: z.object({ account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'), region: z.string().min(1) }),
  eks: z
    .object({
      clusterName: z.string().min(1),
      endpoint: z.url(),
      certificateAuthority: z.string().min(1),
      serverNamespace: NamespaceName.default(CLUSTER_DEFAULTS.serverNamespace),
      runnerNamespace: NamespaceName.default(CLUSTER_DEFAULTS.runnerNamespace),
      // Servers and runner Jobs once shared this one namespace; splitting it silently would guess, so it is refused.
      namespace: z.never({ error: EKS_NAMESPACE_REPLACED }).optional(),
      serverServiceAccount: z.string().default(CLUSTER_DEFAULTS.serverServiceAccount),
      runnerServiceAccount: z.string().default(CLUSTER_DEFAULTS.runnerServiceAccount),
      network: ClusterNetworkSchema.prefault({}),
      // Server homes are EBS volumes (the orrery-gp3 StorageClass): the compute-access stack installs the EBS CSI
      // driver add-on with its Pod Identity role; false when the cluster already runs the driver (an add-on that
      // exists cannot be created twice).
      ebsCsiDriverAddon: z.boolean().default(true),
    })
    .refine((eks) => eks.serverNamespace !== eks.runnerNamespace, {
      message: 'serverNamespace and runnerNamespace must differ: user servers and runner Jobs are kept apart',
      path: ['runnerNamespace'],
    }),
  vpc: z
    .object({
      vpcId: z.string().startsWith('vpc-'),
      privateSubnetIds: z.array(z.string().startsWith('subnet-')).min(1),
    })
    .optional(),
  identity: Identity,
  portal: z
    .object({
      domainName: z.string().min(1).optional(),
      certificateArn: z
        .string()
        .startsWith(
          'arn:aws:acm:us-east-1:',
          'an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:…), ' +
            'the only region CloudFront takes certificates from',
        )
        .optional(),
    })
    // One without the other would serve the portal on CloudFront's name while the notebooks bucket admits only the
    // domain.
    .refine((portal) => Boolean(portal.domainName) === Boolean(portal.certificateArn), { message: PORTAL_DOMAIN_PAIR })
    .default({}),
  serverPublicUrl: z.url(),
  profilesFile: z.string().default('config/profiles.example.yaml'),
  // The AWS roles POST /credentials may assume (config/roles.example.yaml shows the form); none: no roles.
  rolesFile: z.string().optional(),
  // Spark sessions: the pools and sizing rules (config/spark-pools.example.yaml shows the form; none: the defaults),
  // compiled to JSON into every function as the profiles are, and the history and monitoring link templates (with
  // {appId}, {sessionId}, {server}, {owner}; the functions check the placeholders at cold start; none: no link).
  sparkPoolsFile: z.string().optional(),
  sparkHistoryUrl: z
    .string()
    .regex(/^https?:\/\//, 'an http(s) URL template')
    .optional(),
  sparkMonitoringUrl: z
    .string()
    .regex(/^https?:\/\//, 'an http(s) URL template')
    .optional(),
  slackWebhookSecretName: z.string().optional(),
  // Named notification destinations (ORRERY_NOTIFY_DESTINATIONS): each URL is read from its Secrets Manager secret.
  notifyDestinations: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
        type: z.enum(['slack', 'webhook']),
        secret: z.string().min(1),
        default: z.boolean().optional(),
      }),
    )
    .optional(),
  // No server image: each profile names its own (profilesFile), and runs use their profile's too. A leftover
  // `images.server` from older configurations is dropped unread, as it always was.
  images: z.object({ runner: z.string().min(1), reporter: z.string().min(1) }),
  alarmEmail: z.email().optional(),
  // The CloudWatch dashboard ($3 a month): off for a platform that must idle cheaply; the alarms stay either way.
  dashboard: z.boolean().default(true),
  api: Api.prefault({}),
  waf: Waf.prefault({}),
});

/** The validated deployment configuration. */
export type InfraConfig = z.infer<typeof InfraConfigSchema>;

/** Reads and validates the configuration file; a bad field stops synth with its path and what to fix. */
export const loadInfraConfig = (path: string): InfraConfig => {
  const parsed = InfraConfigSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
};
