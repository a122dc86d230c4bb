import { getMe, type MeDeps } from '../../use-cases/get-me.ts';
import { httpHandler, type HttpOptions } from '../../http/http-handler.ts';
import { ok } from '../../http/responses.ts';
import { API_ROUTES } from '../../contracts/api-routes.ts';
import { buildOpenApi } from './openapi.ts';

/** GET /healthz — liveness, no auth. */
export const makeHealthz = (o: HttpOptions) => httpHandler(API_ROUTES.healthz, async () => ok({ status: 'ok' }), o);

/** GET /openapi.json — the API description, generated from the schemas that validate requests. */
export const makeOpenApi = (o: HttpOptions) => {
  let doc: unknown;
  return httpHandler(
    API_ROUTES.openapi,
    async () => {
      doc ??= buildOpenApi();
      return ok(doc);
    },
    o,
  );
};

/** GET /me — who the token says the caller is, and the profiles and roles they may use. */
export const makeMe = (deps: MeDeps, o: HttpOptions) =>
  httpHandler(API_ROUTES.me, async ({ user }) => ok(getMe(deps, { user })), o);
