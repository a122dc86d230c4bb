import { loadConfig } from '../../shared/config.ts';
import { makeApiHandlers, makeApiRouter } from '../../shared/api-composition.ts';
import { makeCloudDeps } from '../../shared/container.ts';

const config = loadConfig(process.env);

/** The Lambda entry of the HTTP API: every route, dispatched by route key. */
export const handler = makeApiRouter(makeApiHandlers(makeCloudDeps(config), { claimNames: config.claimNames }));
