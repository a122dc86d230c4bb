import type { IssuedCredentials } from '../domain/credentials.ts';
import { ConflictError, ForbiddenError, UnauthorizedError } from '../domain/errors.ts';
import { holdsRole, sessionSeconds } from '../domain/role.ts';
import { TERMINAL_STATUSES, type Run } from '../domain/run.ts';
import { matchesDigest } from '../domain/token-digest.ts';
import type { User } from '../domain/user.ts';
import type { CredentialDeps } from './credential-deps.ts';
import { issueRoleSession } from './issue-credentials.ts';
import type { RunDeps } from './run-deps.ts';

/** What issuing a run's credentials needs: the run's record, the role registry, the broker and the log. */
export type IssueRunCredentialsDeps = Pick<
  CredentialDeps,
  'roles' | 'broker' | 'credentialLog' | 'clock' | 'ids' | 'sessionCapSeconds'
> &
  Pick<RunDeps, 'runs'>;

// One answer for an unknown run and a wrong token, so the route tells a stranger nothing about which runs exist.
const WRONG_TOKEN = 'this run token is not valid for this run';

// The run whose token this is; a run without a stored hash (not prepared yet) matches no token.
const runOfToken = async (deps: Pick<RunDeps, 'runs'>, runId: string, token: string | undefined): Promise<Run> => {
  if (!token) throw new UnauthorizedError('send the run token: Authorization: token <run token>');
  const run = await deps.runs.getRun(runId);
  if (!run || !matchesDigest(token, run.runTokenHash)) throw new ForbiddenError(WRONG_TOKEN);
  return run;
};

/**
 * POST /runs/{id}/credentials: the keys of a run's role, for the runner's credentials server, which serves them to
 * the run's kernel and comes back here as they age. The runner calls with the run token, not a user's JWT.
 * 1. Find the run and check the token against the hash stored when it was prepared (no run, no hash or another
 *    token: 403; no token: 401).
 * 2. A run that has ended gets nothing (403), so its token dies with it: the runner's server stops serving.
 * 3. A run started without a role has none to give (409).
 * 4. The role must still be in the registry and still be held by the run's owner through the team recorded at
 *    start (or by their id, or by everyone): a role taken away ends the run's keys at its next refresh (403).
 * 5. Assume it as the owner for the role's default session (capped as the broker must), tagged with the run
 *    (purpose `run`), record the issue, then answer (issueRoleSession).
 */
export const issueRunCredentials = async (
  deps: IssueRunCredentialsDeps,
  input: { runId: string; token: string | undefined },
): Promise<IssuedCredentials> => {
  const run = await runOfToken(deps, input.runId, input.token);
  if (TERMINAL_STATUSES.has(run.status)) {
    throw new ForbiddenError(`run ${run.id} has ended (${run.status}); its token no longer opens credentials`);
  }
  if (!run.role) {
    throw new ConflictError(`run ${run.id} was started without a role, so it has no credentials`, 'no_role');
  }
  const owner: User = { id: run.owner, name: run.owner, teams: run.roleTeam ? [run.roleTeam] : [], admin: false };
  const role = deps.roles.find((r) => r.name === run.role);
  if (!role || !holdsRole(owner, role)) {
    throw new ForbiddenError(`${run.owner} may no longer assume role '${run.role}', so run ${run.id} gets no keys`);
  }
  return issueRoleSession(deps, {
    user: owner,
    role,
    purpose: 'run',
    durationSeconds: sessionSeconds(role),
    runId: run.id,
  });
};
