import type { Config } from '../config/config.ts';
import type { BodyStore } from '../ports/body-store.ts';
import type { RenderCache } from '../ports/render-cache.ts';
import type { RunFiles } from '../ports/run-files.ts';
import type { BucketPorts } from './bucket-ports.ts';
import { clientOptions } from './cloud-ports.ts';
import { lazyPort, loadOnce, type PortMethods } from './lazy-port.ts';

const BODY_STORE: PortMethods<BodyStore> = {
  putBody: true,
  getBody: true,
  presignUpload: true,
  readUpload: true,
  deleteUpload: true,
  presignDownload: true,
};
const RUN_FILES: PortMethods<RunFiles> = {
  put: true,
  get: true,
  size: true,
  tag: true,
  getBounded: true,
  presignGet: true,
  presignPut: true,
};
const RENDER_CACHE: PortMethods<RenderCache> = { get: true, put: true };

/**
 * The bucket's ports in a Lambda: the S3 client and its adapters load on the first call of any of them. Most
 * requests (lists, reads of records, a run's status) never touch the bucket, and the S3 client is the largest
 * SDK client a function would otherwise load at every cold start.
 */
export const lazyBucketPorts = (config: Config): BucketPorts => {
  const ports = loadOnce(async () => {
    const { makeBucketPorts } = await import('./bucket-ports.ts');
    return makeBucketPorts(clientOptions(config), config.bucket);
  });
  return {
    bodies: lazyPort(async () => (await ports()).bodies, BODY_STORE),
    runFiles: lazyPort(async () => (await ports()).runFiles, RUN_FILES),
    renderCache: lazyPort(async () => (await ports()).renderCache, RENDER_CACHE),
  };
};
