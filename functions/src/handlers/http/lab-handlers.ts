import { commitVersion, type CommitVersionDeps } from '../../use-cases/commit-version.ts';
import { createNotebook, type CreateNotebookDeps } from '../../use-cases/create-notebook.ts';
import { getVersion, type GetVersionDeps } from '../../use-cases/get-version.ts';
import { keepServerAlive, type KeepServerAliveDeps } from '../../use-cases/keep-server-alive.ts';
import { listNotebooks, type ListNotebooksDeps } from '../../use-cases/list-notebooks.ts';
import { listRoles, type ListRolesDeps } from '../../use-cases/list-roles.ts';
import { listTables, type ListTablesDeps } from '../../use-cases/list-tables.ts';
import { listVersions, type ListVersionsDeps } from '../../use-cases/list-versions.ts';
import { viewServer } from '../../use-cases/server-access.ts';
import { serverTokenCaller, type ServerTokenCallerDeps } from '../../use-cases/server-token-caller.ts';
import { setServerRole, type SetServerRoleDeps } from '../../use-cases/set-server-role.ts';
import { stopServer } from '../../use-cases/stop-server.ts';
import type { EndServerDeps } from '../../use-cases/end-server.ts';
import { httpHandler, type HttpOptions } from '../../http/http-handler.ts';
import { machineToken } from '../../http/machine-token.ts';
import { created, ok } from '../../http/responses.ts';
import { API_ROUTES as R } from '../../contracts/api-routes.ts';

// The `/servers/{name}/lab/...` routes: the caller is the owner the server token stands for (serverTokenCaller),
// then each route is the owner's own use case, unchanged.

type Request = { params: { name: string }; headers: Record<string, string | undefined> };

const ownerOf = async (deps: ServerTokenCallerDeps, { params, headers }: Request) =>
  serverTokenCaller(deps, { name: params.name, token: machineToken(headers) });

/** What the server side of the lab routes needs. */
export type LabServerDeps = ServerTokenCallerDeps & EndServerDeps & KeepServerAliveDeps & SetServerRoleDeps;

/** The lab routes the servers function serves: the server itself, keep-alive, shutdown and role. */
export const makeLabServerHandlers = (deps: LabServerDeps, o: HttpOptions) => ({
  labServer: httpHandler(R.labServer, async (req) => ok(viewServer((await ownerOf(deps, req)).server)), o),
  labKeepAlive: httpHandler(
    R.labKeepAlive,
    async (req) => ok(await keepServerAlive(deps, { user: (await ownerOf(deps, req)).user, name: req.params.name })),
    o,
  ),
  labShutdown: httpHandler(
    R.labShutdown,
    async (req) => ok(await stopServer(deps, { user: (await ownerOf(deps, req)).user, name: req.params.name })),
    o,
  ),
  labSetRole: httpHandler(
    R.labSetRole,
    async (req) => {
      const { user } = await ownerOf(deps, req);
      return ok(await setServerRole(deps, { user, name: req.params.name, role: req.body.role }));
    },
    o,
  ),
});

/** What the notebook side of the lab routes needs. */
export type LabNotebookDeps = ServerTokenCallerDeps &
  ListNotebooksDeps &
  ListVersionsDeps &
  GetVersionDeps &
  CreateNotebookDeps &
  CommitVersionDeps;

/** The lab routes the notebooks function serves: Folium's lists, versions, and inline create and commit. */
export const makeLabNotebookHandlers = (deps: LabNotebookDeps, o: HttpOptions) => ({
  labListNotebooks: httpHandler(
    R.labListNotebooks,
    async (req) => {
      const { limit, cursor, ...filter } = req.query;
      const { user } = await ownerOf(deps, req);
      return ok(await listNotebooks(deps, { user, filter, limit, cursor }));
    },
    o,
  ),
  labListVersions: httpHandler(
    R.labListVersions,
    async (req) => {
      const { user } = await ownerOf(deps, req);
      return ok(await listVersions(deps, { user, notebookId: req.params.id, ...req.query }));
    },
    o,
  ),
  labGetVersion: httpHandler(
    R.labGetVersion,
    async (req) => {
      const { user } = await ownerOf(deps, req);
      return ok(await getVersion(deps, { user, notebookId: req.params.id, version: req.params.v }));
    },
    o,
  ),
  labCreateNotebook: httpHandler(
    R.labCreateNotebook,
    async (req) => created(await createNotebook(deps, { ...req.body, user: (await ownerOf(deps, req)).user })),
    o,
  ),
  labCommitVersion: httpHandler(
    R.labCommitVersion,
    async (req) => {
      const { user } = await ownerOf(deps, req);
      return created(await commitVersion(deps, { ...req.body, user, notebookId: req.params.id }));
    },
    o,
  ),
});

/** What the credentials side of the lab routes needs. */
export type LabCredentialDeps = ServerTokenCallerDeps & ListRolesDeps & ListTablesDeps;

/** The lab routes the credentials function serves: the owner's roles, and the tables the server's role can read. */
export const makeLabCredentialHandlers = (deps: LabCredentialDeps, o: HttpOptions) => ({
  labRoles: httpHandler(R.labRoles, async (req) => ok(listRoles(deps, { user: (await ownerOf(deps, req)).user })), o),
  labTables: httpHandler(
    R.labTables,
    async (req) => ok(await listTables(deps, { ...(await ownerOf(deps, req)), search: req.query.q })),
    o,
  ),
});
