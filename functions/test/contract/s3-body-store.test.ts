import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { S3BodyStore } from '../../src/adapters/aws/s3-body-store.ts';
import type { PresignedPost } from '../../src/ports/body-store.ts';
import { startEmulators } from '../support/emulators.ts';
import { bodyStoreContract } from './body-store.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

/** POSTs a file to a presigned form as a browser would: every field, then the file, last. */
const postForm = async (post: PresignedPost, bytes: Uint8Array): Promise<number> => {
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(bytes)]), 'notebook.ipynb');
  return (await fetch(post.url, { method: 'POST', body: form })).status;
};

bodyStoreContract('S3 on s3rver, uploads through presigned form POSTs', async () => {
  const s3 = emulators.newS3Client();
  const store = new S3BodyStore(s3, emulators.bucket);
  let replacement: { key: string; bytes: Uint8Array } | null = null;
  // Stands in for a second POST landing between the store's HEAD and its GET.
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === 'HeadObjectCommand' && replacement) {
        const { key, bytes } = replacement;
        replacement = null;
        await emulators.s3.send(new PutObjectCommand({ Bucket: emulators.bucket, Key: key, Body: bytes }));
      }
      return out;
    },
    { step: 'initialize', name: 'replaceDuringRead' },
  );
  return {
    store,
    upload: async (nb, up, bytes) => {
      const status = await postForm(await store.presignUpload(nb, up, 60, 10_000_000), bytes);
      if (status >= 300) throw new Error(`POST answered ${status}`);
    },
    replaceDuringRead: (nb, up, bytes) => {
      replacement = { key: `uploads/${nb}/${up}`, bytes };
    },
    postForm,
    tamper: async (sha, bytes) =>
      void (await emulators.s3.send(
        new PutObjectCommand({ Bucket: emulators.bucket, Key: `bodies/${sha}`, Body: bytes }),
      )),
    download: async (url) => {
      const res = await fetch(url);
      return { bytes: new Uint8Array(await res.arrayBuffer()), disposition: res.headers.get('content-disposition') };
    },
  };
});
