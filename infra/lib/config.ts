import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Identity = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cognito'), adminGroup: z.string().default('orrery-admins'), callbackUrls: z.array(z.url()).default([]) }),
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
    claims: z.object({ user: z.string().default('sub'), name: z.string().default('name'), teams: z.string().default('groups'), adminGroup: z.string().default('orrery-admins') }).prefault({}),
  }),
]);

/** Why portal.domainName and portal.certificateArn are set together or not at all. */
export const PORTAL_DOMAIN_PAIR =
  'set domainName and certificateArn together or neither: CloudFront serves a custom domain only with an ACM certificate for it in us-east-1, and without one the portal stays on its CloudFront name';

/** The one file a platform team fills in (infra/orrery.config.json); every field is explained in the README. */
export const InfraConfigSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/, 'a short lowercase prefix for resource names').default('orrery'),
  env: z.object({ account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'), region: z.string().min(1) }),
  eks: z.object({
    clusterName: z.string().min(1),
    endpoint: z.url(),
    certificateAuthority: z.string().min(1),
    namespace: z.string().default('orrery'),
    serverServiceAccount: z.string().default('orrery-server'),
    runnerServiceAccount: z.string().default('orrery-runner'),
  }),
  vpc: z.object({ vpcId: z.string().startsWith('vpc-'), privateSubnetIds: z.array(z.string().startsWith('subnet-')).min(1) }).optional(),
  identity: Identity,
  portal: z
    .object({ domainName: z.string().min(1).optional(), certificateArn: z.string().startsWith('arn:aws:acm:us-east-1:', 'an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:…), the only region CloudFront takes certificates from').optional() })
    // One without the other would serve the portal on CloudFront's name while the notebooks bucket admits only the domain.
    .refine((portal) => Boolean(portal.domainName) === Boolean(portal.certificateArn), { message: PORTAL_DOMAIN_PAIR })
    .default({}),
  serverPublicUrl: z.url(),
  profilesFile: z.string().default('config/profiles.example.yaml'),
  slackWebhookSecretName: z.string().optional(),
  images: z.object({ runner: z.string().min(1), server: z.string().min(1), reporter: z.string().min(1) }),
  alarmEmail: z.email().optional(),
});

/** The validated deployment configuration. */
export type InfraConfig = z.infer<typeof InfraConfigSchema>;

/** Reads and validates the configuration file; a bad field stops synth with its path and what to fix. */
export const loadInfraConfig = (path: string): InfraConfig => {
  const parsed = InfraConfigSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
};
