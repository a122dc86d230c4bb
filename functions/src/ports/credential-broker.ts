import type { AwsCredentials } from '../domain/credentials.ts';

/** One role assumption: whose session, tagged how, for how long. */
export interface AssumeRoleRequest {
  roleArn: string;
  sessionName: string;
  sourceIdentity: string;
  tags: Record<string, string>;
  durationSeconds: number;
}

/** Assumes a role for a user (STS in the cloud and locally; a fake in unit tests). */
export interface CredentialBroker {
  assumeRole(request: AssumeRoleRequest): Promise<AwsCredentials>;
}
