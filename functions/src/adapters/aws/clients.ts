import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

/** Where the SDK clients point: AWS itself (no endpoint) or the local emulators. */
export interface ClientOptions {
  region: string;
  dynamoEndpoint?: string;
  s3Endpoint?: string;
  /** Fixed credentials for the emulators; in the cloud the default provider chain is used. */
  localCredentials?: boolean;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A DynamoDB document client that drops undefined attributes (optional fields of domain objects). */
export const makeDocumentClient = (o: ClientOptions): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: o.region, endpoint: o.dynamoEndpoint, ...(o.localCredentials ? { credentials: LOCAL_CREDENTIALS } : {}) }),
    { marshallOptions: { removeUndefinedValues: true } },
  );

/** An S3 client; checksums only when required, or presigned PUTs carry an empty-body CRC that S3 rejects. */
export const makeS3Client = (o: ClientOptions): S3Client =>
  new S3Client({
    region: o.region,
    endpoint: o.s3Endpoint,
    forcePathStyle: !!o.s3Endpoint,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(o.localCredentials ? { credentials: LOCAL_CREDENTIALS } : {}),
  });

/** The Lambda's own AWS identity (role credentials), for signing EKS tokens. */
export { defaultProvider as lambdaCredentials } from '@aws-sdk/credential-provider-node';
