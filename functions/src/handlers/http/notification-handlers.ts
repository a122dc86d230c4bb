import { API_ROUTES as R } from '../../contracts/api-routes.ts';
import { httpHandler, type HttpOptions } from '../../http/http-handler.ts';
import { ok } from '../../http/responses.ts';
import { listNotifications, type ListNotificationsDeps } from '../../use-cases/list-notifications.ts';

/** The notification routes: the delivery log (one's own; another user's or everyone's for admins). */
export const makeNotificationHandlers = (deps: ListNotificationsDeps, o: HttpOptions) => ({
  listNotifications: httpHandler(
    R.listNotifications,
    async ({ query: { limit, cursor, user: forUser }, user }) =>
      ok(await listNotifications(deps, { user, forUser, limit, cursor })),
    o,
  ),
});
