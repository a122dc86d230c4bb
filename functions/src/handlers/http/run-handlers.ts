import { cancelRun, type CancelRunDeps } from '../../use-cases/cancel-run.ts';
import { getRun, viewRun, type GetRunDeps } from '../../use-cases/get-run.ts';
import { listRuns, type ListRunsDeps } from '../../use-cases/list-runs.ts';
import { listScheduleRuns, type ListScheduleRunsDeps } from '../../use-cases/list-schedule-runs.ts';
import { rerunRun, type RerunRunDeps } from '../../use-cases/rerun-run.ts';
import {
  getRunOutput,
  renderRunOutput,
  type GetRunOutputDeps,
  type RenderRunOutputDeps,
} from '../../use-cases/run-output.ts';
import { startRun, type StartRunDeps } from '../../use-cases/start-run.ts';
import { httpHandler, type HttpOptions } from '../../http/http-handler.ts';
import { accepted, ok, textResult } from '../../http/responses.ts';
import { API_ROUTES as R } from '../../contracts/api-routes.ts';
import { NOTEBOOK_HTML_HEADERS } from './html-headers.ts';

/** What the run routes' use cases need, together. */
export type RunRouteDeps = StartRunDeps &
  ListRunsDeps &
  ListScheduleRunsDeps &
  GetRunDeps &
  CancelRunDeps &
  RerunRunDeps &
  GetRunOutputDeps &
  RenderRunOutputDeps;

/** The run routes, each one use case behind the shared middleware chain. */
export const makeRunHandlers = (deps: RunRouteDeps, o: HttpOptions) => ({
  startRun: httpHandler(
    R.startRun,
    async ({ params, body, user }) =>
      accepted(await viewRun(deps, await startRun(deps, { ...body, user, notebookId: params.id }))),
    o,
  ),
  listRuns: httpHandler(
    R.listRuns,
    async ({ query: { limit, cursor, notebook, owner, status, schedule }, user }) =>
      ok(
        schedule
          ? await listScheduleRuns(deps, { user, scheduleId: schedule, limit, cursor })
          : await listRuns(deps, { user, filter: { notebookId: notebook, owner, status }, limit, cursor }),
      ),
    o,
  ),
  getRun: httpHandler(R.getRun, async ({ params, user }) => ok(await getRun(deps, { user, runId: params.id })), o),
  cancelRun: httpHandler(
    R.cancelRun,
    async ({ params, user }) => accepted(await cancelRun(deps, { user, runId: params.id })),
    o,
  ),
  rerunRun: httpHandler(
    R.rerunRun,
    async ({ params, body, user }) => accepted(await rerunRun(deps, { ...body, user, runId: params.id })),
    o,
  ),
  getRunOutput: httpHandler(
    R.getRunOutput,
    async ({ params, user }) => ok(await getRunOutput(deps, { user, runId: params.id })),
    o,
  ),
  renderRunOutput: httpHandler(
    R.renderRunOutput,
    async ({ params, user }) =>
      textResult(await renderRunOutput(deps, { user, runId: params.id }), NOTEBOOK_HTML_HEADERS),
    o,
  ),
});
