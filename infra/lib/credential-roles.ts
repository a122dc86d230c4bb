import { join } from 'node:path';
import { RoleRegistrySchema } from '#functions/contracts';
import { compileRoles } from './constructs/bundling.ts';
import { REPO_ROOT } from './constructs/orrery-function.ts';
import type { InfraConfig } from './config.ts';

/** The actions the credential broker needs on each target role: assume it, set the source identity, tag the session. */
export const BROKER_ACTIONS = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'] as const;

/**
 * The session tag keys the functions set (domain/credentials.ts, sessionTagsFor): a target role's trust policy
 * admits these and no others. A test holds the two lists together.
 */
export const SESSION_TAG_KEYS = [
  'orrery:user',
  'orrery:team',
  'orrery:purpose',
  'orrery:server',
  'orrery:run',
] as const;

/** The tags every session carries (who and why), which the trust policy requires. */
export const REQUIRED_SESSION_TAGS = ['orrery:user', 'orrery:purpose'] as const;

/** One entry of the role registry as the deploy reads it: enough to grant the broker and to print trust policies. */
export type RegistryRole = { name: string; roleArn: string; maxSessionSeconds: number };

/**
 * The entries of the deployment's role registry (`rolesFile`, or another file relative to the repository root),
 * checked as the functions check it at cold start, so a bad registry stops synth naming the file and the problem;
 * none without a registry.
 */
export const registryRoles = (config: Pick<InfraConfig, 'rolesFile'>): RegistryRole[] => {
  if (!config.rolesFile) return [];
  const path = join(REPO_ROOT, config.rolesFile);
  const parsed = RoleRegistrySchema.safeParse(JSON.parse(compileRoles(path)));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new Error(`rolesFile ${config.rolesFile}: ${problems.join('; ')}`);
  }
  return parsed.data.map(({ name, roleArn, maxSessionSeconds }) => ({ name, roleArn, maxSessionSeconds }));
};

/** The registry's role ARNs, each once, in registry order: what the broker may assume (none without a registry). */
export const registryRoleArns = (config: Pick<InfraConfig, 'rolesFile'>): string[] => [
  ...new Set(registryRoles(config).map((r) => r.roleArn)),
];

/**
 * The name of the credentials function's role, the broker every target role trusts. It is fixed (not CDK's
 * generated name) so `npm run trust-policy` knows the ARN before the first deploy, offline; the region is in it
 * because role names are account-wide and one account may hold a deployment per region.
 */
export const brokerRoleName = (config: Pick<InfraConfig, 'name' | 'env'>): string =>
  `${config.name}-credentials-broker-${config.env.region}`;

/** The AWS partition of a region: China and GovCloud have their own ARN prefixes. */
export const partitionOf = (region: string): string =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

/** The broker role's ARN, computed from the configuration alone (it matches the deployed role's, which a test checks). */
export const brokerRoleArn = (config: Pick<InfraConfig, 'name' | 'env'>): string =>
  `arn:${partitionOf(config.env.region)}:iam::${config.env.account}:role/${brokerRoleName(config)}`;

/** An IAM policy document as AWS reads it. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Record<string, unknown>[];
}

/**
 * The trust policy a target role needs so Orrery's broker may assume it: one statement per action, each testing
 * only the keys that action is evaluated with (as AWS's own examples keep sts:TagSession apart from
 * sts:AssumeRole), so no statement tests a key its action is not given and silently fails to match.
 * - sts:AssumeRole and sts:SetSourceIdentity only with a source identity of at least two characters (STS itself
 *   holds it to 2–64 of `[\w+=,.@-]`, the shape of the user ids Orrery sets): no anonymous session.
 * - sts:TagSession only with Orrery's tag keys (`ForAllValues:StringEquals` on `aws:TagKeys`) and with the two
 *   every session carries (who, why) present.
 * The broker is the principal by ARN: IAM pins it to the role's unique id, so a broker role deleted and made
 * again (a destroyed stack) must be trusted again, by printing and applying this policy once more.
 */
export const trustPolicyFor = (brokerArn: string): PolicyDocument => {
  const principal = { AWS: brokerArn };
  const withSourceIdentity = { StringLike: { 'sts:SourceIdentity': '??*' } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OrreryBrokerAssumes',
        Effect: 'Allow',
        Principal: principal,
        Action: 'sts:AssumeRole',
        Condition: withSourceIdentity,
      },
      {
        Sid: 'OrreryBrokerNamesTheUser',
        Effect: 'Allow',
        Principal: principal,
        Action: 'sts:SetSourceIdentity',
        Condition: withSourceIdentity,
      },
      {
        Sid: 'OrreryBrokerTagsTheSession',
        Effect: 'Allow',
        Principal: principal,
        Action: 'sts:TagSession',
        Condition: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [...SESSION_TAG_KEYS] },
          StringLike: Object.fromEntries(REQUIRED_SESSION_TAGS.map((key) => [`aws:RequestTag/${key}`, '?*'])),
        },
      },
    ],
  };
};
