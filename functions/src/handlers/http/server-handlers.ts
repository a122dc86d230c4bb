import { setTimeout as sleep } from 'node:timers/promises';
import { keepServerAlive } from '../../use-cases/keep-server-alive.ts';
import { launchServer } from '../../use-cases/launch-server.ts';
import { reportActivity } from '../../use-cases/report-activity.ts';
import { viewServer } from '../../use-cases/server-access.ts';
import type { ServerDeps } from '../../use-cases/server-deps.ts';
import { serverProgress, type ProgressMessage } from '../../use-cases/server-progress.ts';
import { getServer, listProfiles, listServers } from '../../use-cases/server-queries.ts';
import { stopServer } from '../../use-cases/stop-server.ts';
import { httpHandler, type HttpOptions } from '../../shared/http/http-handler.ts';
import { accepted, ok, textResult } from '../../shared/http/responses.ts';
import { API_ROUTES as R } from './api-routes.ts';

// EventSource reconnects after `retry` ms and sends the last id it saw; each answer is one batch.
const sse = (events: ProgressMessage[], done: boolean) =>
  textResult([`retry: ${done ? 60_000 : 1000}`, ...events.map((e) => `id: ${e.id}\ndata: ${JSON.stringify(e)}`)].join('\n\n') + '\n\n', {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
  });

const serverToken = (headers: Record<string, string | undefined>) => /^(?:token|Bearer)\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];

/** The server routes, each one use case behind the shared middleware chain. */
export const makeServerHandlers = (deps: ServerDeps, o: HttpOptions) => ({
  listProfiles: httpHandler(R.listProfiles, async ({ user }) => ok(listProfiles(deps, { user })), o),
  launchServer: httpHandler(R.launchServer, async ({ body, user }) => {
    const { server, token } = await launchServer(deps, { ...body, user });
    return accepted({ server: viewServer(server), token });
  }, o),
  listServers: httpHandler(R.listServers, async ({ query, user }) => ok(await listServers(deps, { user, owner: query.owner })), o),
  getServer: httpHandler(R.getServer, async ({ params, query, user }) => ok(await getServer(deps, { user, name: params.name, owner: query.owner })), o),
  stopServer: httpHandler(R.stopServer, async ({ params, query, user }) => ok(await stopServer(deps, { user, name: params.name, owner: query.owner })), o),
  serverProgress: httpHandler(R.serverProgress, async ({ params, query, headers, user }) => {
    const lastId = Number(headers['last-event-id']);
    const after = Number.isInteger(lastId) && lastId >= 0 ? lastId : query.after;
    const { events, done } = await serverProgress({ ...deps, pause: (ms) => sleep(ms) }, { user, name: params.name, owner: query.owner, after });
    return sse(events, done);
  }, o),
  reportActivity: httpHandler(R.reportActivity, async ({ params, body, headers }) => {
    const report = { lastActivity: body.lastActivity ?? undefined, kernels: body.kernels.map((k) => ({ ...k, lastActivity: k.lastActivity ?? undefined })), jupyterReachable: body.jupyterReachable };
    return ok(await reportActivity(deps, { name: params.name, token: serverToken(headers), report }));
  }, o),
  keepServerAlive: httpHandler(R.keepServerAlive, async ({ params, query, user }) => ok(await keepServerAlive(deps, { user, name: params.name, owner: query.owner })), o),
});
