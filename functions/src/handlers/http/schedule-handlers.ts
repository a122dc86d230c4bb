import { API_ROUTES as R } from '../../contracts/api-routes.ts';
import { httpHandler, type HttpOptions } from '../../http/http-handler.ts';
import { accepted, created, ok } from '../../http/responses.ts';
import { createSchedule } from '../../use-cases/create-schedule.ts';
import { deleteSchedule, triggerSchedule } from '../../use-cases/delete-schedule.ts';
import type { CursorCodec } from '../../ports/cursor-codec.ts';
import type { ScheduleDeps } from '../../use-cases/schedule-deps.ts';
import { getSchedule, listSchedules, previewSchedule } from '../../use-cases/schedule-views.ts';
import { updateSchedule } from '../../use-cases/update-schedule.ts';

/** What the schedule routes need: the schedules' ports and the list cursors. */
export type ScheduleRouteDeps = ScheduleDeps & { cursors: CursorCodec };

/** The schedule routes: save, list, read, preview, edit/pause/resume, delete and run now. */
export const makeScheduleHandlers = (deps: ScheduleRouteDeps, o: HttpOptions) => ({
  createSchedule: httpHandler(
    R.createSchedule,
    async ({ params, body, user }) => created(await createSchedule(deps, { ...body, notebookId: params.id, user })),
    o,
  ),
  listSchedules: httpHandler(
    R.listSchedules,
    async ({ query, user }) => ok(await listSchedules(deps, { ...query, user })),
    o,
  ),
  listNotifyDestinations: httpHandler(
    R.listNotifyDestinations,
    async () => ok({ items: deps.destinations.map((name) => ({ name })) }),
    o,
  ),
  previewSchedule: httpHandler(R.previewSchedule, async ({ query }) => ok(previewSchedule(deps, query)), o),
  getSchedule: httpHandler(
    R.getSchedule,
    async ({ params, user }) => ok(await getSchedule(deps, { user, id: params.id })),
    o,
  ),
  updateSchedule: httpHandler(
    R.updateSchedule,
    async ({ params, body, user }) => ok(await updateSchedule(deps, { ...body, id: params.id, user })),
    o,
  ),
  deleteSchedule: httpHandler(
    R.deleteSchedule,
    async ({ params, user }) => {
      await deleteSchedule(deps, { user, id: params.id });
      return ok({ id: params.id, deleted: true });
    },
    o,
  ),
  triggerSchedule: httpHandler(
    R.triggerSchedule,
    async ({ params, user }) => {
      const {
        scheduleId: _s,
        owner: _o,
        updatedAt: _u,
        ...fire
      } = await triggerSchedule(deps, { user, id: params.id });
      const run = fire.runId ? await deps.runs.getRun(fire.runId) : null;
      return accepted({ ...fire, runStatus: run?.status ?? null });
    },
    o,
  ),
});
