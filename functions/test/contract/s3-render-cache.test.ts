import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { S3RenderCache } from '../../src/adapters/aws/s3-render-cache.ts';
import { startEmulators } from '../support/emulators.ts';
import { renderCacheContract } from './render-cache.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
let buckets = 0;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

renderCacheContract('S3 on s3rver', async () => {
  // A bucket of its own per case: the contract expects an empty cache.
  buckets += 1;
  const bucket = `render-cache-${buckets}`;
  await emulators.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    cache: new S3RenderCache(emulators.s3, bucket),
    storedKeys: async () =>
      (await emulators.s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.map((o) => o.Key!) ?? [],
  };
});
