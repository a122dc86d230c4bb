import { cancelRun } from '../../use-cases/cancel-run.ts';
import { getRun, viewRun } from '../../use-cases/get-run.ts';
import { listRuns } from '../../use-cases/list-runs.ts';
import { rerunRun } from '../../use-cases/rerun-run.ts';
import type { RunDeps } from '../../use-cases/run-deps.ts';
import { getRunOutput, renderRunOutput } from '../../use-cases/run-output.ts';
import { startRun } from '../../use-cases/start-run.ts';
import { httpHandler, type HttpOptions } from '../../shared/http/http-handler.ts';
import { accepted, ok, textResult } from '../../shared/http/responses.ts';
import { API_ROUTES as R } from './api-routes.ts';
import { NOTEBOOK_HTML_HEADERS } from './html-headers.ts';

/** The run routes, each one use case behind the shared middleware chain. */
export const makeRunHandlers = (deps: RunDeps, o: HttpOptions) => ({
  startRun: httpHandler(R.startRun, async ({ params, body, user }) => accepted(await viewRun(deps, await startRun(deps, { ...body, user, notebookId: params.id }))), o),
  listRuns: httpHandler(
    R.listRuns,
    async ({ query: { limit, cursor, notebook, owner, status }, user }) => ok(await listRuns(deps, { user, filter: { notebookId: notebook, owner, status }, limit, cursor })),
    o,
  ),
  getRun: httpHandler(R.getRun, async ({ params, user }) => ok(await getRun(deps, { user, runId: params.id })), o),
  cancelRun: httpHandler(R.cancelRun, async ({ params, user }) => accepted(await cancelRun(deps, { user, runId: params.id })), o),
  rerunRun: httpHandler(R.rerunRun, async ({ params, body, user }) => accepted(await rerunRun(deps, { ...body, user, runId: params.id })), o),
  getRunOutput: httpHandler(R.getRunOutput, async ({ params, user }) => ok(await getRunOutput(deps, { user, runId: params.id })), o),
  renderRunOutput: httpHandler(R.renderRunOutput, async ({ params, user }) => textResult(await renderRunOutput(deps, { user, runId: params.id }), NOTEBOOK_HTML_HEADERS), o),
});
