/** Reads one secret's string value by ARN or name (Secrets Manager in the cloud, a fake in tests). */
export interface SecretReader {
  read(secretId: string): Promise<string>;
}
