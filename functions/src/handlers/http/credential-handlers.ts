import type { CredentialDeps } from '../../use-cases/credential-deps.ts';
import { issueCredentials } from '../../use-cases/issue-credentials.ts';
import { issueRunCredentials, type IssueRunCredentialsDeps } from '../../use-cases/issue-run-credentials.ts';
import { issueServerCredentials, type IssueServerCredentialsDeps } from '../../use-cases/issue-server-credentials.ts';
import { listAllCredentialLog, listOwnCredentialLog } from '../../use-cases/list-credential-log.ts';
import { listRoles } from '../../use-cases/list-roles.ts';
import { httpHandler, type HttpOptions } from '../../http/http-handler.ts';
import { ok } from '../../http/responses.ts';
import { API_ROUTES as R } from '../../contracts/api-routes.ts';
import { machineToken } from '../../http/machine-token.ts';

// Keys must not stay in a browser's, proxy's or CDN's cache once shown.
const NO_STORE = { 'cache-control': 'no-store' };

/** The credentials routes: roles, issuing keys, and the audit log (one's own; everyone's for admins). */
export const makeCredentialHandlers = (
  deps: CredentialDeps &
    Pick<IssueServerCredentialsDeps, 'servers' | 'sparkSessions'> &
    Pick<IssueRunCredentialsDeps, 'runs'>,
  o: HttpOptions,
) => ({
  listRoles: httpHandler(R.listRoles, async ({ user }) => ok(listRoles(deps, { user })), o),
  issueCredentials: httpHandler(
    R.issueCredentials,
    async ({ body, user }) => ({ ...ok(await issueCredentials(deps, { ...body, user })), headers: NO_STORE }),
    o,
  ),
  issueServerCredentials: httpHandler(
    R.issueServerCredentials,
    async ({ params, body, headers }) => ({
      ...ok(
        await issueServerCredentials(deps, { name: params.name, token: machineToken(headers), session: body.session }),
      ),
      headers: NO_STORE,
    }),
    o,
  ),
  issueRunCredentials: httpHandler(
    R.issueRunCredentials,
    async ({ params, headers }) => ({
      ...ok(await issueRunCredentials(deps, { runId: params.id, token: machineToken(headers) })),
      headers: NO_STORE,
    }),
    o,
  ),
  listCredentialLog: httpHandler(
    R.listCredentialLog,
    async ({ query, user }) => ok(await listOwnCredentialLog(deps, { user, limit: query.limit, cursor: query.cursor })),
    o,
  ),
  listAllCredentials: httpHandler(
    R.listAllCredentials,
    async ({ query, user }) => ok(await listAllCredentialLog(deps, { user, limit: query.limit, cursor: query.cursor })),
    o,
  ),
});
