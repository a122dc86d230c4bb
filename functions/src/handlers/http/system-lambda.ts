import { makeApiRouter } from '../../shared/api-router.ts';
import { loadCloudConfig } from '../../shared/cloud-config.ts';
import { makeHealthz, makeMe, makeOpenApi } from './system-handlers.ts';

const config = await loadCloudConfig();
const options = { claimNames: config.claimNames };

/** Lambda entry of the system routes (liveness, the API description, the caller): no table, no bucket. */
export const handler = makeApiRouter({ healthz: makeHealthz(options), openapi: makeOpenApi(options), me: makeMe(config, options) });
