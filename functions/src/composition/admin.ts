import { DynamoDbRunStore } from '../adapters/aws/dynamodb-run-store.ts';
import { DynamoDbServerStore } from '../adapters/aws/dynamodb-server-store.ts';
import { DynamoDbSparkSessionStore } from '../adapters/aws/dynamodb-spark-session-store.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { Config } from '../config/config.ts';
import { makeAdminHandlers, type AdminDeps } from '../handlers/http/admin-handlers.ts';
import { makeApiRouter, type ApiRouter } from '../http/api-router.ts';
import { cursorCodec, documentClient } from './cloud-ports.ts';
import { loadLambdaConfig } from './lambda-config.ts';

/** The admin routes' deps in the cloud (usage, the cull log): server, run and Spark session records, read only. */
export const makeAdminDeps = (config: Config): AdminDeps => {
  const doc = documentClient(config);
  return {
    servers: new DynamoDbServerStore(doc, config.table),
    runs: new DynamoDbRunStore(doc, config.table),
    sparkSessions: new DynamoDbSparkSessionStore(doc, config.table),
    clock: new SystemClock(),
    cursors: cursorCodec(config),
    profiles: config.profiles,
  };
};

/** The admin function. */
export const makeAdminFunction = async (): Promise<ApiRouter> => {
  const config = await loadLambdaConfig();
  return makeApiRouter(makeAdminHandlers(makeAdminDeps(config), { claimNames: config.claimNames }));
};
