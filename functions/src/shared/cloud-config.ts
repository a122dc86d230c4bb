import { makeSecretsManagerClient, SecretsManagerSecretReader } from '../adapters/aws/secrets-manager-secret-reader.ts';
import { type Config, loadConfig } from './config.ts';

/** Reads one secret's string value by ARN or name (Secrets Manager in the cloud, a fake in tests). */
export interface SecretReader {
  read(secretId: string): Promise<string>;
}

// Each pair: the variable naming the secret (what the CDK app sets) → the variable its value feeds
// (what local mode sets directly). The value itself never appears in the function's configuration.
const SECRET_VARIABLES = [
  { secret: 'ORRERY_CURSOR_SECRET_ARN', value: 'ORRERY_CURSOR_SECRET' },
  { secret: 'ORRERY_SLACK_WEBHOOK_SECRET_NAME', value: 'ORRERY_SLACK_WEBHOOK_URL' },
] as const;

/**
 * The configuration of a Lambda at cold start: the environment, plus the secrets that ORRERY_CURSOR_SECRET_ARN
 * and ORRERY_SLACK_WEBHOOK_SECRET_NAME name, read from Secrets Manager into the settings they feed (a read
 * secret wins over a value set directly). A secret that cannot be read stops the cold start with its id and
 * the reason, so the failure is in the function's log rather than a later 500.
 */
export const loadCloudConfig = async (
  env: Record<string, string | undefined> = process.env,
  secrets?: SecretReader,
): Promise<Config> => {
  const wanted = SECRET_VARIABLES.filter((v) => env[v.secret]);
  if (wanted.length === 0) return loadConfig(env);
  const reader = secrets ?? new SecretsManagerSecretReader(makeSecretsManagerClient(env.AWS_REGION ?? 'us-east-1'));
  const values = await Promise.all(wanted.map(async (v) => [v.value, await readSecret(reader, v.secret, env[v.secret] as string)] as const));
  return loadConfig({ ...env, ...Object.fromEntries(values) });
};

const readSecret = async (reader: SecretReader, variable: string, secretId: string): Promise<string> => {
  let text: string;
  try {
    text = await reader.read(secretId);
  } catch (err) {
    const e = err as Error;
    throw new Error(`configuration: cannot read the secret ${secretId} (${variable}): ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`);
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
