// The one table of unit prices `npm run cost` multiplies by: AWS list prices in us-east-1, without free tiers or
// discounts, each with its unit and the pricing page it comes from. Prices change: check the pages named here
// (https://aws.amazon.com/<service>/pricing/) and update PRICES_AS_OF with the figures; docs/cost.md prints this
// table for readers.

/** When the figures below were read from AWS's public pricing pages. */
export const PRICES_AS_OF = '2025-06-01';

/** The region the figures are for; most others differ by a few percent. */
export const PRICES_REGION = 'us-east-1';

/** One list price: `usd` for every `per` units of `unit`, as the page states it, and where it is stated. */
export interface UnitPrice {
  usd: number;
  per: number;
  unit: string;
  source: string;
}

const price = (usd: number, per: number, unit: string, source: string): UnitPrice => ({ usd, per, unit, source });

/** Every unit price the model uses, by name. */
export const PRICES = {
  apiRequest: price(1.0, 1e6, 'HTTP API requests', 'Amazon API Gateway pricing: HTTP APIs, first 300 million'),
  lambdaRequest: price(0.2, 1e6, 'requests', 'AWS Lambda pricing: requests'),
  lambdaArmGbSecond: price(0.0000133334, 1, 'GB-second', 'AWS Lambda pricing: Arm duration, first 7.5 billion GB-s'),
  stateTransition: price(0.025, 1000, 'state transitions', 'AWS Step Functions pricing: Standard workflows'),
  dynamoWrite: price(0.625, 1e6, 'write request units', 'Amazon DynamoDB pricing: on-demand'),
  dynamoRead: price(0.125, 1e6, 'read request units', 'Amazon DynamoDB pricing: on-demand'),
  dynamoStorage: price(0.25, 1, 'GB-month', 'Amazon DynamoDB pricing: Standard table class storage'),
  dynamoPitr: price(0.2, 1, 'GB-month', 'Amazon DynamoDB pricing: continuous backups (PITR)'),
  s3Storage: price(0.023, 1, 'GB-month', 'Amazon S3 pricing: S3 Standard, first 50 TB'),
  s3Put: price(0.005, 1000, 'PUT, COPY, POST, LIST requests', 'Amazon S3 pricing: S3 Standard requests'),
  s3Get: price(0.0004, 1000, 'GET, HEAD and other requests', 'Amazon S3 pricing: S3 Standard requests'),
  cdnRequest: price(0.01, 10_000, 'HTTPS requests', 'Amazon CloudFront pricing: United States and Europe'),
  cdnTransfer: price(0.085, 1, 'GB out to the internet', 'Amazon CloudFront pricing: US and Europe, first 10 TB'),
  wafWebAcl: price(5.0, 1, 'web ACL-month', 'AWS WAF pricing'),
  wafRule: price(1.0, 1, 'rule-month', 'AWS WAF pricing'),
  wafRequest: price(0.6, 1e6, 'requests', 'AWS WAF pricing'),
  schedulerInvocation: price(1.0, 1e6, 'invocations', 'Amazon EventBridge pricing: Scheduler'),
  secret: price(0.4, 1, 'secret-month', 'AWS Secrets Manager pricing'),
  secretCall: price(0.05, 10_000, 'API calls', 'AWS Secrets Manager pricing'),
  logIngestion: price(0.5, 1, 'GB ingested', 'Amazon CloudWatch pricing: Logs, Standard (and vended, first 10 TB)'),
  logStorage: price(0.03, 1, 'GB-month stored', 'Amazon CloudWatch pricing: Logs, archival'),
  customMetric: price(0.3, 1, 'metric-month', 'Amazon CloudWatch pricing: metrics, first 10,000'),
  alarmMetric: price(0.1, 1, 'alarm metric-month', 'Amazon CloudWatch pricing: alarms, standard resolution'),
  dashboard: price(3.0, 1, 'dashboard-month', 'Amazon CloudWatch pricing: dashboards'),
  xrayTrace: price(5.0, 1e6, 'traces recorded', 'AWS X-Ray pricing'),
  kmsKey: price(1.0, 1, 'key-month', 'AWS Key Management Service pricing: customer managed keys'),
  cognitoPlusMau: price(0.02, 1, 'monthly active user', 'Amazon Cognito pricing: user pools, Plus plan'),
  cognitoEssentialsMau: price(0.015, 1, 'monthly active user', 'Amazon Cognito pricing: user pools, Essentials'),
  cognitoLiteMau: price(0.0055, 1, 'monthly active user', 'Amazon Cognito pricing: user pools, Lite'),
  eksControlPlane: price(0.1, 1, 'cluster-hour', 'Amazon EKS pricing: standard support'),
  ebsGp3: price(0.08, 1, 'GB-month', 'Amazon EBS pricing: gp3 volumes'),
  natHour: price(0.045, 1, 'NAT gateway-hour', 'Amazon VPC pricing: NAT gateway'),
  natData: price(0.045, 1, 'GB processed', 'Amazon VPC pricing: NAT gateway'),
} as const satisfies Record<string, UnitPrice>;

/** A price's name in PRICES. */
export type PriceName = keyof typeof PRICES;

/** What one unit costs: the stated price divided by the units it is stated for. */
export const unitUsd = (name: PriceName): number => PRICES[name].usd / PRICES[name].per;
