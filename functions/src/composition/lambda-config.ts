import { cloudRegion, loadCloudConfig } from '../config/cloud-config.ts';
import type { Config } from '../config/config.ts';
import { configureObservability } from '../observability/settings.ts';
import type { SecretReader } from '../ports/secret-reader.ts';
import { loadOnce } from './lazy-port.ts';

/** Secrets Manager, its client imported on the first read (a function that reads no secret never loads it). */
export const lazySecretReader = (region: string): SecretReader => {
  const reader = loadOnce(async () => {
    const { makeSecretsManagerClient, SecretsManagerSecretReader } = await import(
      '../adapters/aws/secrets-manager-secret-reader.ts'
    );
    return new SecretsManagerSecretReader(makeSecretsManagerClient(region));
  });
  return { read: async (id) => (await reader()).read(id) };
};

/**
 * A Lambda's configuration at cold start: its environment and the secrets it names, read from Secrets Manager.
 * The client is imported on the first read, so a function whose environment names no secret (system, the run
 * and launch tasks, a culler without Slack) never loads it. Logging and metrics then follow ORRERY_LOG_LEVEL.
 */
export const loadLambdaConfig = async (env: Record<string, string | undefined> = process.env): Promise<Config> => {
  const config = await loadCloudConfig(env, lazySecretReader(cloudRegion(env)));
  configureObservability(config.observability);
  return config;
};
