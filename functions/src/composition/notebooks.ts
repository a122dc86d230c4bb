import { DynamoDbNotebookStore } from '../adapters/aws/dynamodb-notebook-store.ts';
import { DynamoDbServerStore } from '../adapters/aws/dynamodb-server-store.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { Config } from '../config/config.ts';
import { makeLabNotebookHandlers, type LabNotebookDeps } from '../handlers/http/lab-handlers.ts';
import { makeNotebookHandlers, type NotebookRouteDeps } from '../handlers/http/notebook-handlers.ts';
import { makeApiRouter, type ApiRouter } from '../http/api-router.ts';
import { lazyBucketPorts } from './cloud-bucket.ts';
import { cursorCodec, documentClient } from './cloud-ports.ts';
import { makeCloudRenderer } from './cloud-renderer.ts';
import { loadLambdaConfig } from './lambda-config.ts';
import { listingCacheOf } from '../use-cases/listing-cache.ts';

/**
 * The Folium routes' deps in the cloud: notebook records in DynamoDB; bodies and rendered pages in S3 and the
 * renderer, both loaded on the first request that needs them (a list or a record read needs neither).
 */
export const makeNotebookDeps = (config: Config): NotebookRouteDeps & LabNotebookDeps => {
  const bucket = lazyBucketPorts(config);
  const doc = documentClient(config);
  const clock = new SystemClock();
  return {
    notebooks: new DynamoDbNotebookStore(doc, config.table),
    // Per Lambda instance; every instance checks the same stamp, so none serves a page older than a write.
    listingCache: listingCacheOf(config.listingCache, clock),
    // Server records only: a server token's caller is checked against them (the lab routes).
    servers: new DynamoDbServerStore(doc, config.table),
    bodies: bucket.bodies,
    renderCache: bucket.renderCache,
    renderer: makeCloudRenderer(),
    clock,
    ids: new RandomIds(),
    cursors: cursorCodec(config),
    limits: config.limits,
  };
};

/** The notebooks function (Folium). */
export const makeNotebooksFunction = async (): Promise<ApiRouter> => {
  const config = await loadLambdaConfig();
  const deps = makeNotebookDeps(config);
  const options = { claimNames: config.claimNames };
  return makeApiRouter({ ...makeNotebookHandlers(deps, options), ...makeLabNotebookHandlers(deps, options) });
};
