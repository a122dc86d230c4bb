import type { ClientOptions } from '../adapters/aws/clients.ts';
import { makeS3Client } from '../adapters/aws/s3-client.ts';
import { S3BodyStore } from '../adapters/aws/s3-body-store.ts';
import { S3RenderCache } from '../adapters/aws/s3-render-cache.ts';
import { S3RunFiles } from '../adapters/aws/s3-run-files.ts';
import type { BodyStore } from '../ports/body-store.ts';
import type { RenderCache } from '../ports/render-cache.ts';
import type { RunFiles } from '../ports/run-files.ts';

/** The ports over Orrery's bucket: notebook bodies and uploads, run files, rendered pages. */
export interface BucketPorts {
  bodies: BodyStore;
  runFiles: RunFiles;
  renderCache: RenderCache;
}

/**
 * The bucket's ports over one S3 client. The Lambdas reach this module through `import()` only (lazyBucketPorts
 * in cloud-ports.ts), so the S3 client is a chunk of its own that routes without a body never load; local mode
 * imports it directly.
 */
export const makeBucketPorts = (options: ClientOptions, bucket: string): BucketPorts => {
  const s3 = makeS3Client(options);
  return {
    bodies: new S3BodyStore(s3, bucket),
    runFiles: new S3RunFiles(s3, bucket),
    renderCache: new S3RenderCache(s3, bucket),
  };
};
