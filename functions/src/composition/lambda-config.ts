import { cloudRegion, loadCloudConfig } from '../config/cloud-config.ts';
import type { Config } from '../config/config.ts';
import { configureObservability } from '../observability/settings.ts';
import type { SecretReader } from '../ports/secret-reader.ts';
import { loadOnce } from './lazy-port.ts';

/**
 * A Lambda's configuration at cold start: its environment and the secrets it names, read from Secrets Manager.
 * The client is imported on the first read, so a function whose environment names no secret (system, the run
 * and launch tasks, a culler without Slack) never loads it. Logging and metrics then follow ORRERY_LOG_LEVEL.
 */
export const loadLambdaConfig = async (env: Record<string, string | undefined> = process.env): Promise<Config> => {
  const region = cloudRegion(env);
  const reader = loadOnce(async () => {
    const { makeSecretsManagerClient, SecretsManagerSecretReader } = await import(
      '../adapters/aws/secrets-manager-secret-reader.ts'
    );
    return new SecretsManagerSecretReader(makeSecretsManagerClient(region));
  });
  const secrets: SecretReader = { read: async (id) => (await reader()).read(id) };
  const config = await loadCloudConfig(env, secrets);
  configureObservability(config.observability);
  return config;
};
