import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLE_DESIGN } from '#functions/contracts';
import type { InfraConfig } from '../config.ts';

/** What the stateful stack needs. */
export interface DataStackProps extends StackProps {
  config: InfraConfig;
}

/** The stateful stack: the table, the bucket and the cursor secret. A code redeploy never touches it. */
export class DataStack extends Stack {
  /** The single table (keys and indexes from TABLE_DESIGN). */
  readonly table: ITable;
  /** Notebook bodies, uploads and run outputs. */
  readonly bucket: IBucket;
  /** The HMAC key that signs list cursors. */
  readonly cursorSecret: ISecret;
  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    // Access-log delivery by bucket policy, not the legacy LogDeliveryWrite ACL (so ACLs stay disabled everywhere).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.table = makeTable(this);
    this.bucket = makeBuckets(this, props.config);
    this.cursorSecret = makeCursorSecret(this, props.config);
  }
}

const makeTable = (scope: Stack): Table => {
  const key = (name: string) => ({ name, type: AttributeType.STRING });
  const table = new Table(scope, 'Table', {
    partitionKey: key(TABLE_DESIGN.partitionKey),
    sortKey: key(TABLE_DESIGN.sortKey),
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    encryption: TableEncryption.AWS_MANAGED,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of TABLE_DESIGN.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: key(index.partitionKey),
      sortKey: key(index.sortKey),
      projectionType: ProjectionType.ALL,
    });
  }
  return table;
};

const makeBuckets = (scope: Stack, config: InfraConfig): Bucket => {
  const logs = new Bucket(scope, 'AccessLogs', {
    // S3 server access logging delivers only to SSE-S3 buckets.
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    lifecycleRules: [
      {
        id: 'expire-access-logs',
        expiration: Duration.days(365),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(logs).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'This is the server access log bucket of the notebooks bucket; ' +
      'logging it into itself (or another bucket, recursively) adds no audit value.',
  });
  const bucket = new Bucket(scope, 'Notebooks', {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    versioned: true,
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: 'notebooks/',
    lifecycleRules: [
      { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(30) },
      { id: 'expire-run-outputs', prefix: 'runs/', expiration: Duration.days(365) },
      // A commit reads its upload within the URL's lifetime (at most 12 hours) and deletes it; one left after a day
      // was abandoned (or the commit failed), and nothing refers to it. The previous version goes a day later too.
      {
        id: 'expire-uploads',
        prefix: 'uploads/',
        expiration: Duration.days(1),
        noncurrentVersionExpiration: Duration.days(1),
      },
      // Rendered pages are a cache keyed by content: any of them can be made again, so old ones just go.
      {
        id: 'expire-rendered',
        prefix: 'rendered/',
        expiration: Duration.days(30),
        noncurrentVersionExpiration: Duration.days(1),
      },
      { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
    ],
    cors: [
      {
        // The portal uploads bodies with presigned POSTs (a policy bounding their length) straight to S3, with a
        // progress bar, and reads the answer, so S3 must answer its CORS requests. With a portal domain only that
        // origin may; without one the origin is CloudFront's generated name, unknown when this stack deploys (it
        // deploys first), and '*' stands in: CORS only lets a page read a response, and every request still needs a
        // valid, short-lived signature.
        allowedOrigins: portalOrigins(config),
        allowedMethods: [HttpMethods.POST, HttpMethods.GET, HttpMethods.HEAD],
        allowedHeaders: ['*'],
        exposedHeaders: ['ETag'],
        maxAge: 3000,
      },
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return bucket;
};

/** The origins the notebooks bucket answers CORS requests from: the portal's own, when its domain is configured. */
export const portalOrigins = (config: InfraConfig): string[] =>
  config.portal.domainName ? [`https://${config.portal.domainName}`] : ['*'];

const makeCursorSecret = (scope: Stack, config: InfraConfig): Secret => {
  const secret = new Secret(scope, 'CursorSecret', {
    description: `${config.name}: HMAC key that signs list cursors (pagination tokens)`,
    generateSecretString: { passwordLength: 48, excludePunctuation: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'Not a credential: the key only signs opaque pagination cursors that carry no authority ' +
      '(every read is authorized again). Rotating it would only invalidate cursors in flight; ' +
      'rotate by hand with `aws secretsmanager put-secret-value` and a redeploy of the API stack if needed.',
  });
  return secret;
};
