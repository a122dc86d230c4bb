import { adminUsage, type AdminUsageDeps } from '../../use-cases/admin-usage.ts';
import { listCulls } from '../../use-cases/list-culls.ts';
import type { ServerDeps } from '../../use-cases/server-deps.ts';
import { httpHandler, type HttpOptions } from '../../shared/http/http-handler.ts';
import { ok } from '../../shared/http/responses.ts';
import { API_ROUTES as R } from './api-routes.ts';

/** What the admin routes read: usage across servers and runs, and the cull log. */
export type AdminDeps = AdminUsageDeps & Pick<ServerDeps, 'cursors'>;

/** The admin routes (the use cases refuse anyone but admins). */
export const makeAdminHandlers = (deps: AdminDeps, o: HttpOptions) => ({
  adminUsage: httpHandler(R.adminUsage, async ({ user }) => ok(await adminUsage(deps, { user })), o),
  listCulls: httpHandler(R.listCulls, async ({ query, user }) => ok(await listCulls(deps, { user, limit: query.limit, cursor: query.cursor })), o),
});
