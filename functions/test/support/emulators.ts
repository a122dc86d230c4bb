import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDocumentClient } from '../../src/adapters/aws/clients.ts';
import { makeS3Client } from '../../src/adapters/aws/s3-client.ts';
import { ensureTable } from '../../src/adapters/aws/table-setup.ts';
import { startDynalite, startS3rver } from '../../src/adapters/local/emulators.ts';

/** dynalite and s3rver on loopback in a throwaway folder, with clients pointed at them. */
export const startEmulators = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-emu-'));
  const dynamo = await startDynalite(join(dir, 'dynamodb'));
  const bucket = 'test-bucket';
  const s3 = await startS3rver(join(dir, 's3'), bucket, 'http://127.0.0.1:1');
  const options = {
    region: 'us-east-1',
    dynamoEndpoint: dynamo.endpoint,
    s3Endpoint: s3.endpoint,
    localCredentials: true,
  };
  let tables = 0;
  return {
    doc: makeDocumentClient(options),
    /** A document client of its own, for a test that adds middleware to it. */
    newDoc: () => makeDocumentClient(options),
    s3: makeS3Client(options),
    /** A client of its own, for a test that adds middleware to it. */
    newS3Client: () => makeS3Client(options),
    bucket,
    /** A new empty table with the platform's indexes. */
    newTable: async () => {
      tables += 1;
      const name = `table-${tables}`;
      await ensureTable(
        new DynamoDBClient({
          region: 'us-east-1',
          endpoint: dynamo.endpoint,
          credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        }),
        name,
      );
      return name;
    },
    close: async () => {
      await dynamo.close();
      await s3.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
