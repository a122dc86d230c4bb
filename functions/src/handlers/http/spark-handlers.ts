import { createSparkSession, type CreateSparkSessionDeps } from '../../use-cases/create-spark-session.ts';
import { getSparkSession, type GetSparkSessionDeps } from '../../use-cases/get-spark-session.ts';
import { listSparkSessions, type ListSparkSessionsDeps } from '../../use-cases/list-spark-sessions.ts';
import { previewSpark, type PreviewSparkDeps } from '../../use-cases/preview-spark.ts';
import { serverTokenCaller, type ServerTokenCallerDeps } from '../../use-cases/server-token-caller.ts';
import { stopSparkSession, type StopSparkSessionDeps } from '../../use-cases/stop-spark-session.ts';
import { httpHandler, type HttpOptions } from '../../http/http-handler.ts';
import { machineToken } from '../../http/machine-token.ts';
import { created, ok } from '../../http/responses.ts';
import { API_ROUTES as R } from '../../contracts/api-routes.ts';

/** What the Spark routes' use cases need, together. */
export type SparkRouteDeps = PreviewSparkDeps &
  CreateSparkSessionDeps &
  ListSparkSessionsDeps &
  GetSparkSessionDeps &
  StopSparkSessionDeps &
  ServerTokenCallerDeps;

type Request = { params: { name: string }; headers: Record<string, string | undefined> };

// The twins' caller: the owner the server token stands for, and the server it is of.
const serverOf = (deps: ServerTokenCallerDeps, { params, headers }: Request) =>
  serverTokenCaller(deps, { name: params.name, token: machineToken(headers) });

/** The Spark routes (the owner's, with a JWT) and their server-token twins under /servers/{name}/lab/spark. */
export const makeSparkHandlers = (deps: SparkRouteDeps, o: HttpOptions) => ({
  previewSpark: httpHandler(
    R.previewSpark,
    async ({ body, user }) => ok(await previewSpark(deps, { ...body, user })),
    o,
  ),
  createSparkSession: httpHandler(
    R.createSparkSession,
    async ({ body, user }) => created(await createSparkSession(deps, { ...body, user })),
    o,
  ),
  listSparkSessions: httpHandler(
    R.listSparkSessions,
    async ({ query, user }) => ok(await listSparkSessions(deps, { ...query, user })),
    o,
  ),
  getSparkSession: httpHandler(
    R.getSparkSession,
    async ({ params, user }) => ok(await getSparkSession(deps, { user, id: params.id })),
    o,
  ),
  stopSparkSession: httpHandler(
    R.stopSparkSession,
    async ({ params, user }) => ok(await stopSparkSession(deps, { user, id: params.id })),
    o,
  ),
  labPreviewSpark: httpHandler(
    R.labPreviewSpark,
    async (req) => {
      const { user, server } = await serverOf(deps, req);
      return ok(await previewSpark(deps, { ...req.body, user, server: server.name }));
    },
    o,
  ),
  labCreateSparkSession: httpHandler(
    R.labCreateSparkSession,
    async (req) => {
      const { user, server } = await serverOf(deps, req);
      return created(await createSparkSession(deps, { ...req.body, user, server }));
    },
    o,
  ),
  labListSparkSessions: httpHandler(
    R.labListSparkSessions,
    async (req) => {
      const { user, server } = await serverOf(deps, req);
      return ok(await listSparkSessions(deps, { ...req.query, user, server: server.name }));
    },
    o,
  ),
  labStopSparkSession: httpHandler(
    R.labStopSparkSession,
    async (req) => {
      const { user, server } = await serverOf(deps, req);
      return ok(await stopSparkSession(deps, { user, id: req.params.id, serverId: server.id }));
    },
    o,
  ),
});
