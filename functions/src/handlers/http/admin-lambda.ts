import { makeApiRouter } from '../../shared/api-router.ts';
import { loadCloudConfig } from '../../shared/cloud-config.ts';
import { makeAdminCloudDeps } from '../../shared/cloud-composition.ts';
import { makeAdminHandlers } from './admin-handlers.ts';

const config = await loadCloudConfig();

/** Lambda entry of the admin routes (usage, the cull log): reads DynamoDB only. */
export const handler = makeApiRouter(makeAdminHandlers(makeAdminCloudDeps(config), { claimNames: config.claimNames }));
