import { makeAdminFunction } from '../../composition/admin.ts';

/** Lambda entry of the admin routes (usage, the cull log): reads DynamoDB only. */
export const handler = await makeAdminFunction();
