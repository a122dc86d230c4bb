import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EMULATOR_CREDENTIALS } from './emulator-credentials.ts';

/** Where the SDK clients point: AWS itself (no endpoint) or the local emulators. */
export interface ClientOptions {
  region: string;
  dynamoEndpoint?: string;
  s3Endpoint?: string;
  /** Fixed credentials for the emulators; in the cloud the default provider chain is used. */
  localCredentials?: boolean;
}

/** A DynamoDB document client that drops undefined attributes (optional fields of domain objects). */
export const makeDocumentClient = (o: ClientOptions): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: o.region,
      endpoint: o.dynamoEndpoint,
      ...(o.localCredentials ? { credentials: EMULATOR_CREDENTIALS } : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );

/** The Lambda's own AWS identity (role credentials), for signing EKS tokens. */
export { defaultProvider as lambdaCredentials } from '@aws-sdk/credential-provider-node';
