import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DESIGN } from '#functions/contracts';
import { DataStack } from '../lib/stacks/data-stack.ts';
import { exampleConfig, findingsFor, resourcesOf, synthDataAndApi, synthFailure } from './support-api.ts';

describe('the data stack', () => {
  let data: Template;
  beforeAll(() => {
    data = synthDataAndApi().data;
  });

  const notebooksBucket = () => {
    const buckets = Object.entries(resourcesOf(data, 'AWS::S3::Bucket')).filter(
      ([, bucket]) => bucket.Properties.VersioningConfiguration,
    );
    expect(buckets).toHaveLength(1);
    return buckets[0]!;
  };

  it('keys the table and its four indexes exactly as the table design says', () => {
    // Prepare
    const key = (hash: string, range: string) => [
      { AttributeName: hash, KeyType: 'HASH' },
      { AttributeName: range, KeyType: 'RANGE' },
    ];
    const names = [
      TABLE_DESIGN.partitionKey,
      TABLE_DESIGN.sortKey,
      ...TABLE_DESIGN.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ];

    // Act
    const tables = resourcesOf(data, 'AWS::DynamoDB::Table');

    // Assess
    expect(Object.keys(tables)).toHaveLength(1);
    data.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: key(TABLE_DESIGN.partitionKey, TABLE_DESIGN.sortKey),
      AttributeDefinitions: Match.arrayWith(names.map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
      GlobalSecondaryIndexes: TABLE_DESIGN.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: key(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' },
      })),
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('keeps the table with point-in-time recovery, deletion protection, encryption and RETAIN', () => {
    // Prepare
    const expected = {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    };

    // Act
    const matching = data.findResources('AWS::DynamoDB::Table', expected);

    // Assess
    expect(Object.keys(matching)).toHaveLength(1);
  });

  it('encrypts every bucket, blocks public access and retains them', () => {
    // Prepare
    const blockAll = {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    };

    // Act
    const buckets = data.findResources('AWS::S3::Bucket');

    // Assess
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets)) {
      expect(
        bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
          .SSEAlgorithm,
      ).toMatch(/^(AES256|aws:kms)$/);
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual(blockAll);
      expect(bucket.Properties.LifecycleConfiguration.Rules.length).toBeGreaterThan(0);
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
  });

  it('denies every request to either bucket that does not use TLS', () => {
    // Prepare
    const buckets = Object.keys(data.findResources('AWS::S3::Bucket'));

    // Act
    const policies = Object.values(resourcesOf(data, 'AWS::S3::BucketPolicy'));

    // Assess
    for (const id of buckets) {
      const policy = policies.find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: id }));
      expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
      expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('"Effect":"Deny"');
    }
  });

  it('versions the notebooks bucket and expires old versions, run outputs and abandoned uploads', () => {
    // Prepare
    const [, bucket] = notebooksBucket();

    // Act
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;

    // Assess
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
        expect.objectContaining({ Prefix: 'runs/', ExpirationInDays: 365, Status: 'Enabled' }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' }),
      ]),
    );
  });

  it('expires uploads a day after they are written, and their previous versions a day later', () => {
    // Prepare (S3BodyStore keys an upload `uploads/<notebook>/<upload>`; a commit reads and deletes it within the URL's
    // life)
    const [, bucket] = notebooksBucket();

    // Act
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: { Prefix?: string }[] }).Rules.filter(
      (rule) => rule.Prefix === 'uploads/',
    );

    // Assess
    expect(rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        ExpirationInDays: 1,
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      }),
    ]);
  });

  it('expires cached rendered pages a month after they are written', () => {
    // Prepare
    const [, bucket] = notebooksBucket();

    // Act
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: { Prefix?: string }[] }).Rules.filter(
      (rule) => rule.Prefix === 'rendered/',
    );

    // Assess
    expect(rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        ExpirationInDays: 30,
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      }),
    ]);
  });

  it('logs access to the notebooks bucket into the other bucket', () => {
    // Prepare
    const [id, bucket] = notebooksBucket();

    // Act
    const logging = bucket.Properties.LoggingConfiguration as { DestinationBucketName: { Ref: string } };

    // Assess
    expect(logging.DestinationBucketName.Ref).not.toBe(id);
    expect(Object.keys(data.findResources('AWS::S3::Bucket'))).toContain(logging.DestinationBucketName.Ref);
  });

  it('lets the portal POST uploads, GET and HEAD presigned bodies and read the ETag, nothing else', () => {
    // Prepare
    const [, bucket] = notebooksBucket();

    // Act
    const cors = bucket.Properties.CorsConfiguration as {
      CorsRules: { AllowedMethods: string[]; ExposedHeaders: string[] }[];
    };

    // Assess
    expect(cors.CorsRules.flatMap((rule) => rule.AllowedMethods).sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(cors.CorsRules.flatMap((rule) => rule.ExposedHeaders)).toEqual(['ETag']);
  });

  it('answers CORS only for the portal’s origin when the portal has its own domain', () => {
    // Prepare
    const config = {
      ...exampleConfig(),
      portal: {
        domainName: 'notebooks.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      },
    };

    // Act
    const template = Template.fromStack(new DataStack(new App(), 'data', { env: config.env, config }));
    const buckets = Object.values(resourcesOf(template, 'AWS::S3::Bucket')).filter(
      (b) => b.Properties.CorsConfiguration,
    );

    // Assess
    expect(buckets).toHaveLength(1);
    expect(
      (buckets[0]!.Properties.CorsConfiguration as { CorsRules: { AllowedOrigins: string[] }[] }).CorsRules.map(
        (r) => r.AllowedOrigins,
      ),
    ).toEqual([['https://notebooks.example.com']]);
  });

  it('generates a 48-character cursor key without punctuation and retains it', () => {
    // Prepare
    const expected = {
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({ PasswordLength: 48, ExcludePunctuation: true }),
      }),
      DeletionPolicy: 'Retain',
    };

    // Act
    const secrets = data.findResources('AWS::SecretsManager::Secret', expected);

    // Assess
    expect(Object.keys(secrets)).toHaveLength(1);
  });

  it('leaves cdk-nag nothing unacknowledged in the data stack', () => {
    // Prepare
    // Act
    const findings = findingsFor(synthFailure(), 'orrery-data');

    // Assess
    expect(findings).toEqual([]);
  });
});
