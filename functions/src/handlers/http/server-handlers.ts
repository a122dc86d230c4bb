import { setTimeout as sleep } from 'node:timers/promises';
import { keepServerAlive, type KeepServerAliveDeps } from '../../use-cases/keep-server-alive.ts';
import { launchServer, type LaunchServerDeps } from '../../use-cases/launch-server.ts';
import { reportActivity, type ReportActivityDeps } from '../../use-cases/report-activity.ts';
import { viewServer } from '../../use-cases/server-access.ts';
import type { ServerDeps } from '../../use-cases/server-deps.ts';
import { serverProgress, type ProgressMessage } from '../../use-cases/server-progress.ts';
import { getServer, listProfiles, listServers } from '../../use-cases/server-queries.ts';
import { setServerRole, type SetServerRoleDeps } from '../../use-cases/set-server-role.ts';
import { stopServer } from '../../use-cases/stop-server.ts';
import { deleteServer, type DeleteServerDeps } from '../../use-cases/delete-server.ts';
import { listUnusedVolumes, type ListUnusedVolumesDeps } from '../../use-cases/list-unused-volumes.ts';
import type { EndServerDeps } from '../../use-cases/end-server.ts';
import { httpHandler, type HttpOptions } from '../../http/http-handler.ts';
import { accepted, ok, textResult } from '../../http/responses.ts';
import { API_ROUTES as R } from '../../contracts/api-routes.ts';
import { machineToken } from '../../http/machine-token.ts';

// EventSource reconnects after `retry` ms and sends the last id it saw; each answer is one batch.
const sse = (events: ProgressMessage[], done: boolean) =>
  textResult(
    [`retry: ${done ? 60_000 : 1000}`, ...events.map((e) => `id: ${e.id}\ndata: ${JSON.stringify(e)}`)].join('\n\n') +
      '\n\n',
    {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
    },
  );

/**
 * What the server routes' use cases need, together: no notifier (only the culler warns) and no cursors (no list
 * here is paged).
 */
export type ServerRouteDeps = LaunchServerDeps &
  EndServerDeps &
  ReportActivityDeps &
  KeepServerAliveDeps &
  SetServerRoleDeps &
  DeleteServerDeps &
  ListUnusedVolumesDeps &
  Pick<ServerDeps, 'servers' | 'profiles' | 'serverSettings' | 'clock'>;

/** The server routes, each one use case behind the shared middleware chain. */
export const makeServerHandlers = (deps: ServerRouteDeps, o: HttpOptions) => ({
  listProfiles: httpHandler(R.listProfiles, async ({ user }) => ok(listProfiles(deps, { user })), o),
  launchServer: httpHandler(
    R.launchServer,
    async ({ body, user }) => {
      const { server, token } = await launchServer(deps, { ...body, user });
      return accepted({ server: viewServer(server), token });
    },
    o,
  ),
  listServers: httpHandler(
    R.listServers,
    async ({ query, user }) => ok(await listServers(deps, { user, owner: query.owner })),
    o,
  ),
  getServer: httpHandler(
    R.getServer,
    async ({ params, query, user }) => ok(await getServer(deps, { user, name: params.name, owner: query.owner })),
    o,
  ),
  stopServer: httpHandler(
    R.stopServer,
    async ({ params, query, user }) => {
      const input = { user, name: params.name, owner: query.owner };
      return ok(query.remove ? await deleteServer(deps, input) : await stopServer(deps, input));
    },
    o,
  ),
  listUnusedVolumes: httpHandler(
    R.listUnusedVolumes,
    async ({ user }) => ok(await listUnusedVolumes(deps, { user })),
    o,
  ),
  serverProgress: httpHandler(
    R.serverProgress,
    async ({ params, query, headers, user }) => {
      const lastId = Number(headers['last-event-id']);
      const after = Number.isInteger(lastId) && lastId >= 0 ? lastId : query.after;
      const { events, done } = await serverProgress(
        { ...deps, pause: (ms) => sleep(ms) },
        { user, name: params.name, owner: query.owner, after },
      );
      return sse(events, done);
    },
    o,
  ),
  reportActivity: httpHandler(
    R.reportActivity,
    async ({ params, body, headers }) => {
      const report = {
        lastActivity: body.lastActivity ?? undefined,
        kernels: body.kernels.map((k) => ({ ...k, lastActivity: k.lastActivity ?? undefined })),
        jupyterReachable: body.jupyterReachable,
      };
      return ok(await reportActivity(deps, { name: params.name, token: machineToken(headers), report }));
    },
    o,
  ),
  setServerRole: httpHandler(
    R.setServerRole,
    async ({ params, body, user }) => ok(await setServerRole(deps, { user, name: params.name, role: body.role })),
    o,
  ),
  keepServerAlive: httpHandler(
    R.keepServerAlive,
    async ({ params, query, user }) => ok(await keepServerAlive(deps, { user, name: params.name, owner: query.owner })),
    o,
  ),
});
