import { S3Client } from '@aws-sdk/client-s3';
import type { ClientOptions } from './clients.ts';
import { EMULATOR_CREDENTIALS } from './emulator-credentials.ts';

// Apart from clients.ts: a module that both a function's cold start and a lazily loaded chunk import is bundled
// whole into a chunk the cold start loads, so the S3 client lives here, reached only by the code that uses it.

/** An S3 client; checksums only when required, or presigned PUTs carry an empty-body CRC that S3 rejects. */
export const makeS3Client = (o: ClientOptions): S3Client =>
  new S3Client({
    region: o.region,
    endpoint: o.s3Endpoint,
    forcePathStyle: !!o.s3Endpoint,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(o.localCredentials ? { credentials: EMULATOR_CREDENTIALS } : {}),
  });
