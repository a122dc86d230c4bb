import { loadConfig } from '../../shared/config.ts';
import { makeApiHandlers, makeApiRouter, makeCloudWorkflows, makeRunDeps } from '../../shared/container.ts';

const config = loadConfig(process.env);

/** The Lambda entry of the HTTP API: every route, dispatched by route key. */
export const handler = makeApiRouter(makeApiHandlers(makeRunDeps(config, makeCloudWorkflows(config)), { claimNames: config.claimNames }));
