// `npm run trust-policy -- <role> [--config <file>] [--roles <file>] [--broker-arn <arn>]`: prints, as JSON on
// stdout, the trust policy the named role of the registry needs so Orrery's broker may assume it, and on stderr
// how to apply it. Offline: the broker's ARN is computed from the CDK app's configuration (infra/orrery.config.json,
// or ORRERY_INFRA_CONFIG, or the example), as the deploy names the role, unless --broker-arn gives it; the registry
// is the configuration's rolesFile unless --roles names another. An unknown role exits 2 listing the known ones.
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadInfraConfig } from '../infra/lib/config.ts';
import { brokerRoleArn, registryRoles, trustPolicyFor } from '../infra/lib/credential-roles.ts';
import { ROLE_CHAINING_MAX_SECONDS } from '../functions/src/domain/session-cap.ts';

const root = join(import.meta.dirname, '..');
const USAGE = 'usage: npm run trust-policy -- <role> [--config <file>] [--roles <file>] [--broker-arn <arn>]';
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

const fail = (message: string, code: number): never => {
  console.error(`trust-policy: ${message}`);
  process.exit(code);
};

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { config: { type: 'string' }, roles: { type: 'string' }, 'broker-arn': { type: 'string' } },
    });
  } catch (err) {
    return fail(`${(err as Error).message}\n${USAGE}`, 2);
  }
})();
if (positionals.length !== 1) fail(USAGE, 2);
const [wanted] = positionals as [string];

const chosen = values.config ?? process.env.ORRERY_INFRA_CONFIG ?? join(root, 'infra', 'orrery.config.json');
const path = values.config || existsSync(chosen) ? chosen : join(root, 'infra', 'orrery.config.example.json');
if (path !== chosen) console.error(`trust-policy: ${chosen} not found; using the example configuration (${path})`);

try {
  const config = loadInfraConfig(path);
  // --roles is taken relative to where the command runs (npm moves to the root, INIT_CWD keeps it); rolesFile, as
  // the deploy reads it, to the repository.
  const here = process.env.INIT_CWD ?? process.cwd();
  const rolesFile = values.roles ? relative(root, resolve(here, values.roles)) : config.rolesFile;
  if (!rolesFile) fail(`${path} sets no rolesFile, so there are no roles: set it, or pass --roles <file>`, 2);
  const roles = registryRoles({ rolesFile });
  const role = roles.find((r) => r.name === wanted);
  if (!role) {
    const known = roles.map((r) => r.name).join(', ') || 'none';
    fail(`no role '${wanted}' in ${rolesFile}; the known roles: ${known}`, 2);
  }
  const broker = values['broker-arn'] ?? brokerRoleArn(config);
  if (!ROLE_ARN.test(broker)) fail(`--broker-arn ${broker} is not an IAM role ARN`, 2);
  console.log(JSON.stringify(trustPolicyFor(broker), null, 2));
  const roleName = role!.roleArn.split('/').at(-1);
  const session = Math.min(role!.maxSessionSeconds, ROLE_CHAINING_MAX_SECONDS);
  console.error(
    [
      `trust-policy: the trust policy of ${role!.roleArn}, trusting the broker ${broker}. Apply it with`,
      `  aws iam update-assume-role-policy --role-name ${roleName} --policy-document file://trust.json`,
      `(the JSON above saved as trust.json, with credentials for the role's account), and keep the role's`,
      `MaxSessionDuration at ${session} seconds or more: the broker is itself a role session, so AWS caps the`,
      `sessions it issues at ${ROLE_CHAINING_MAX_SECONDS} seconds whatever the role allows.`,
    ].join('\n'),
  );
} catch (err) {
  fail((err as Error).message, 1);
}
