import { makeServersFunction } from '../../composition/servers.ts';

/** Lambda entry of the server routes: DynamoDB, the launch workflow, the Kubernetes API loaded when a stop needs it. */
export const handler = await makeServersFunction();
