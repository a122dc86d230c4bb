import { makeApiRouter } from '../../shared/api-router.ts';
import { loadCloudConfig } from '../../shared/cloud-config.ts';
import { makeCloudRenderer } from '../../shared/cloud-renderer.ts';
import { makeFoliumCloudDeps } from '../../shared/cloud-composition.ts';
import { makeNotebookHandlers } from './notebook-handlers.ts';

const config = await loadCloudConfig();

/** Lambda entry of the notebook routes (Folium): DynamoDB and S3. */
export const handler = makeApiRouter(makeNotebookHandlers(makeFoliumCloudDeps(config, makeCloudRenderer()), { claimNames: config.claimNames }));
