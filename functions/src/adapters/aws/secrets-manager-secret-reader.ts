import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretReader } from '../../ports/secret-reader.ts';

/** The one Secrets Manager call the reader makes, so tests can pass a hand-written client. */
export type SecretsManagerSend = Pick<SecretsManagerClient, 'send'>;

/** Reads secret strings from Secrets Manager (by ARN or name); a secret with only binary data is an error. */
export class SecretsManagerSecretReader implements SecretReader {
  constructor(private readonly client: SecretsManagerSend) {}

  /** The current value of one secret as a string. */
  async read(secretId: string): Promise<string> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (typeof out.SecretString !== 'string')
      throw new Error('the secret has no string value (binary secrets are not supported)');
    return out.SecretString;
  }
}

/** A Secrets Manager client for the function's own region and role. */
export const makeSecretsManagerClient = (region: string): SecretsManagerClient => new SecretsManagerClient({ region });
