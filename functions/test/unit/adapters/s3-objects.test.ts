import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { readObjectBounded } from '../../../src/adapters/aws/s3-objects.ts';

// What the SDK throws for a HEAD that S3 answered with a bare status (HEAD answers carry no error body).
const headError = (status: number, name: string) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

const s3Answering = (err: Error) =>
  ({
    send: async (command: unknown) => {
      if (command instanceof HeadObjectCommand) throw err;
      throw new Error('only a HEAD is expected');
    },
  }) as unknown as S3Client;

describe('readObjectBounded', () => {
  it('reads a 403 on the HEAD as a missing key, as S3 answers roles without s3:ListBucket', async () => {
    // Prepare
    const s3 = s3Answering(headError(403, 'Forbidden'));

    // Act
    const read = await readObjectBounded(s3, 'bucket', 'uploads/nb/up', 1024);

    // Assess
    expect(read).toEqual({ kind: 'missing' });
  });

  it('reads a 404 on the HEAD as a missing key', async () => {
    // Prepare
    const s3 = s3Answering(headError(404, 'NotFound'));

    // Act
    const read = await readObjectBounded(s3, 'bucket', 'uploads/nb/up', 1024);

    // Assess
    expect(read).toEqual({ kind: 'missing' });
  });

  it('passes any other failure on', async () => {
    // Prepare
    const s3 = s3Answering(headError(500, 'InternalError'));

    // Act
    const read = readObjectBounded(s3, 'bucket', 'uploads/nb/up', 1024);

    // Assess
    await expect(read).rejects.toThrow('InternalError');
  });
});
