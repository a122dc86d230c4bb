import {
  type CredentialIssue,
  type CredentialPurpose,
  type IssuedCredentials,
  sessionNameFor,
  sessionTagsFor,
  sourceIdentityFor,
} from '../domain/credentials.ts';
import { UpstreamError } from '../domain/errors.ts';
import { roleFor, teamFor, type Role } from '../domain/role.ts';
import { cappedSessionSeconds } from '../domain/session-cap.ts';
import type { User } from '../domain/user.ts';
import type { CredentialDeps } from './credential-deps.ts';

/** What issuing credentials needs. */
export type IssueCredentialsDeps = Pick<
  CredentialDeps,
  'roles' | 'broker' | 'credentialLog' | 'clock' | 'ids' | 'sessionCapSeconds'
>;

/** One issue of a role already resolved and allowed: for whom, why, and for how long. */
export interface RoleSession {
  user: User;
  role: Role;
  purpose: CredentialPurpose;
  durationSeconds: number;
  serverId?: string | null;
  runId?: string | null;
}

/**
 * Assumes a role the caller may use and records the issue; the keys are returned only once the record is stored.
 * Servers and runs (purposes `server`, `run`) come through here too, after deciding their role themselves.
 * 1. Hold the duration to the broker's cap (role chaining): servers and runs refresh, so a shorter session is
 *    only an earlier refresh for them, never a failure.
 * 2. Ask the broker for a session named for the user, with the user as source identity and tagged with the user,
 *    team, purpose and server or run (the broker's errors are already ours: 403, 400, 429, 503).
 * 3. Record the issue (no key material). If that fails, the keys are dropped: an issue nobody can audit is refused.
 * 4. Return the keys with the role, account and source identity.
 */
export const issueRoleSession = async (
  deps: Pick<CredentialDeps, 'broker' | 'credentialLog' | 'clock' | 'ids' | 'sessionCapSeconds'>,
  session: RoleSession,
): Promise<IssuedCredentials> => {
  const s = { ...session, durationSeconds: Math.min(session.durationSeconds, deps.sessionCapSeconds ?? Infinity) };
  const team = teamFor(s.user, s.role);
  const sourceIdentity = sourceIdentityFor(s.user.id);
  const serverId = s.serverId ?? null;
  const runId = s.runId ?? null;
  const keys = await deps.broker.assumeRole({
    roleArn: s.role.roleArn,
    sessionName: sessionNameFor(s.user.id),
    sourceIdentity,
    tags: sessionTagsFor({ user: s.user.id, team, purpose: s.purpose, serverId, runId }),
    durationSeconds: s.durationSeconds,
  });
  const issue: CredentialIssue = {
    id: deps.ids.next('cred'),
    issuedAt: deps.clock.now().toISOString(),
    user: s.user.id,
    team,
    role: s.role.name,
    roleArn: s.role.roleArn,
    account: s.role.account,
    purpose: s.purpose,
    serverId,
    runId,
    sourceIdentity,
    expiration: keys.expiration,
    durationSeconds: s.durationSeconds,
  };
  try {
    await deps.credentialLog.record(issue);
  } catch {
    throw new UpstreamError(
      'the credentials could not be recorded in the audit log, so they were not handed out; try again shortly',
    );
  }
  return { ...keys, role: s.role.name, account: s.role.account, sourceIdentity };
};

/**
 * POST /credentials: temporary keys for a role the caller holds, for a shell or a tool on their machine.
 * 1. Find the role among those the caller holds: an unknown role and one not held are the same 403.
 * 2. Decide the duration: the one asked for within [900, the role's maximum lowered to the broker's cap] (else a
 *    400 naming the bounds, or explaining the cap when only the cap refuses it), or 3600 seconds capped at that
 *    maximum.
 * 3. Assume it, record the issue (purpose `interactive`), then answer (issueRoleSession).
 */
export const issueCredentials = async (
  deps: IssueCredentialsDeps,
  input: { user: User; role: string; durationSeconds?: number },
): Promise<IssuedCredentials> => {
  const role = roleFor(input.user, deps.roles, input.role);
  const durationSeconds = cappedSessionSeconds(role, deps.sessionCapSeconds, input.durationSeconds);
  return issueRoleSession(deps, { user: input.user, role, purpose: 'interactive', durationSeconds });
};
