import { adminUsage, type AdminUsageDeps } from '../../use-cases/admin-usage.ts';
import { listCulls, type ListCullsDeps } from '../../use-cases/list-culls.ts';
import { httpHandler, type HttpOptions } from '../../http/http-handler.ts';
import { ok } from '../../http/responses.ts';
import { API_ROUTES as R } from '../../contracts/api-routes.ts';

/** What the admin routes read: usage across servers and runs, and the cull log. */
export type AdminDeps = AdminUsageDeps & ListCullsDeps;

/** The admin routes (the use cases refuse anyone but admins). */
export const makeAdminHandlers = (deps: AdminDeps, o: HttpOptions) => ({
  adminUsage: httpHandler(R.adminUsage, async ({ user }) => ok(await adminUsage(deps, { user })), o),
  listCulls: httpHandler(
    R.listCulls,
    async ({ query, user }) => ok(await listCulls(deps, { user, limit: query.limit, cursor: query.cursor })),
    o,
  ),
});
