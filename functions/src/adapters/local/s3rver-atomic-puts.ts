import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

interface S3rverObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}

/** The part of s3rver's filesystem store that writes objects. */
export interface S3rverStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
}

/**
 * Makes s3rver's PUTs atomic, as S3's are. s3rver truncates the old files (bytes and metadata) before writing
 * the new ones and answers before they are on disk, so a reader of an existing key saw it cut short and a crash in that
 * window lost an acknowledged body (found by the fault suite). The bytes go to a file beside it, then a rename.
 */
export const makePutsAtomic = (store: S3rverStore): void => {
  // The metadata (size, ETag) is two small files s3rver rewrites in place too, and a GET reads them first: write
  // them for a key of their own beside the object, then rename them over the real ones.
  const putMetadata = store.putMetadata.bind(store);
  store.putMetadata = async (bucket, key, metadata, md5) => {
    const temp = `${key}.${randomBytes(6).toString('hex')}.partial`;
    await putMetadata(bucket, temp, metadata, md5);
    for (const resource of ['object.md5', 'metadata.json']) {
      await rename(store.getResourcePath(bucket, temp, resource), store.getResourcePath(bucket, key, resource)).catch(
        (err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        },
      );
    }
  };
  store.putObject = async (object) => {
    const target = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.partial`;
    const md5 = createHash('md5');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(source, count, createWriteStream(temp));
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
};
