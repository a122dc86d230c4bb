import { makeHealthz, makeMe, makeOpenApi } from '../handlers/http/system-handlers.ts';
import { makeApiRouter, type ApiRouter } from '../http/api-router.ts';
import type { HttpOptions } from '../http/http-handler.ts';
import type { MeDeps } from '../use-cases/get-me.ts';
import { loadLambdaConfig } from './lambda-config.ts';

/** The system routes: liveness, the API description and the caller; they need only the profile and role registries. */
export const makeSystemHandlers = (deps: MeDeps, options: HttpOptions) => ({
  healthz: makeHealthz(options),
  openapi: makeOpenApi(options),
  me: makeMe(deps, options),
});

/** The system function (liveness, the API description, the caller): no table, no bucket. */
export const makeSystemFunction = async (): Promise<ApiRouter> => {
  const config = await loadLambdaConfig();
  return makeApiRouter(makeSystemHandlers(config, { claimNames: config.claimNames }));
};
