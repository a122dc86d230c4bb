import type { SecretReader } from '../ports/secret-reader.ts';
import { loadProfilesJson } from './profile-registry.ts';
import { loadRolesJson } from './role-registry.ts';
import { type Config, configFrom } from './settings.ts';
import { parseSparkPoolsJson, readSparkPools } from './spark-pools.ts';
import { parseJsonTemplates, readTableTemplates } from './table-templates.ts';
import { parseVariables } from './variable-docs.ts';
import { FUNCTION_VARIABLES } from './variables.ts';

/**
 * Each pair: the variable naming the secret (what the CDK app sets) → the variable its value feeds (what local
 * mode sets directly). The value itself never appears in the function's configuration.
 */
export const SECRET_VARIABLES = [
  { secret: 'ORRERY_CURSOR_SECRET_ARN', value: 'ORRERY_CURSOR_SECRET' },
  { secret: 'ORRERY_SLACK_WEBHOOK_SECRET_NAME', value: 'ORRERY_SLACK_WEBHOOK_URL' },
] as const;

// The variables that name secrets, checked before anything is read with them.
const SECRET_NAMES = FUNCTION_VARIABLES.pick({
  ORRERY_CURSOR_SECRET_ARN: true,
  ORRERY_SLACK_WEBHOOK_SECRET_NAME: true,
});

// The Lambdas read both registries as JSON only (the deploy compiles them), so no YAML parser weighs on a cold start.
const JSON_REGISTRIES = {
  profiles: loadProfilesJson,
  roles: loadRolesJson,
  templates: (file: string | undefined) => readTableTemplates(file, parseJsonTemplates),
  sparkPools: (file: string | undefined) => readSparkPools(file, parseSparkPoolsJson),
};

/** The region a Lambda's clients use (AWS_REGION through the schema), known before the configuration is read. */
export const cloudRegion = (env: Record<string, string | undefined>): string =>
  parseVariables(FUNCTION_VARIABLES.pick({ AWS_REGION: true }), env).AWS_REGION;

/**
 * The configuration of a Lambda at cold start: the environment, plus the secrets that ORRERY_CURSOR_SECRET_ARN
 * and ORRERY_SLACK_WEBHOOK_SECRET_NAME name, read through `secrets` (Secrets Manager, which the composition
 * passes) into the settings they feed (a read secret wins over a value set directly). A secret that cannot be
 * read stops the cold start with its id and the reason, so the failure is in the function's log rather than a
 * later 500. The profile and role registries are read as JSON only (the deploy compiles profilesFile and
 * rolesFile), so no YAML parser weighs on the cold start.
 */
export const loadCloudConfig = async (
  env: Record<string, string | undefined>,
  secrets: SecretReader,
): Promise<Config> => {
  const names = parseVariables(SECRET_NAMES, env);
  const wanted = SECRET_VARIABLES.filter((v) => names[v.secret]);
  if (wanted.length === 0) return configFrom(env, JSON_REGISTRIES);
  const read = async (v: (typeof wanted)[number]) =>
    [v.value, await readSecret(secrets, v.secret, names[v.secret] as string)] as const;
  const values = await Promise.all(wanted.map(read));
  return configFrom({ ...env, ...Object.fromEntries(values) }, JSON_REGISTRIES);
};

const readSecret = async (reader: SecretReader, variable: string, secretId: string): Promise<string> => {
  let text: string;
  try {
    text = await reader.read(secretId);
  } catch (err) {
    const e = err as Error;
    const kind = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
    throw new Error(`configuration: cannot read the secret ${secretId} (${variable}): ${kind}${e.message}`);
  }
  return unwrapSecretString(text);
};

/**
 * A secret made in the console as key/value pairs is a JSON object; one with a single string value (such as
 * `{"url": "https://hooks.slack.com/…"}`) yields that value. Anything else is used as it is.
 */
export const unwrapSecretString = (text: string): string => {
  if (!text.trimStart().startsWith('{')) return text;
  try {
    const values = Object.values(JSON.parse(text) as Record<string, unknown>);
    return values.length === 1 && typeof values[0] === 'string' ? values[0] : text;
  } catch {
    return text;
  }
};
