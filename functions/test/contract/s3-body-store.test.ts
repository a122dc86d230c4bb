import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { S3BodyStore } from '../../src/adapters/aws/s3-body-store.ts';
import { startEmulators } from '../support/emulators.ts';
import { bodyStoreContract } from './body-store.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

bodyStoreContract('S3 on s3rver, uploads through presigned PUTs', async () => {
  const store = new S3BodyStore(emulators.s3, emulators.bucket);
  return {
    store,
    upload: async (nb, up, bytes) => {
      const { url } = await store.presignUpload(nb, up, 60);
      const res = await fetch(url, { method: 'PUT', body: Buffer.from(bytes) });
      if (!res.ok) throw new Error(`PUT ${res.status}: ${await res.text()}`);
    },
    tamper: async (sha, bytes) => void (await emulators.s3.send(new PutObjectCommand({ Bucket: emulators.bucket, Key: `bodies/${sha}`, Body: bytes }))),
    download: async (url) => {
      const res = await fetch(url);
      return { bytes: new Uint8Array(await res.arrayBuffer()), disposition: res.headers.get('content-disposition') };
    },
  };
});
