import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccountRecovery, FeaturePlan, type IUserPool, Mfa, StandardThreatProtectionMode, UserPool, UserPoolGroup } from 'aws-cdk-lib/aws-cognito';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { RouteGroup } from '../../../functions/src/shared/http/route-spec.ts';
import type { InfraConfig } from '../config.ts';
import { OrreryFunction } from '../constructs/orrery-function.ts';
import { acknowledge, clusterArn, FUNCTION_FINDINGS, functionEnvironment, grantBucketObjects, grantCursorSecret, grantTableItems, placeInVpc, TABLE_READ, vpcPlacement } from '../function-access.ts';
import { capitalize, stateMachineArn } from '../names.ts';
import type { DataStack } from './data-stack.ts';

/** What the API stack needs. */
export interface ApiStackProps extends StackProps {
  config: InfraConfig;
  data: DataStack;
}

/** The route groups, one Lambda each. */
export const ROUTE_GROUPS: readonly RouteGroup[] = ['system', 'notebooks', 'runs', 'servers', 'admin'];

/**
 * Each route group's Lambda entry, relative to the repository root: its own composition root, importing only
 * the handlers, adapters and SDK clients of its routes (the servers group alone bundles the Kubernetes client).
 */
export const API_ENTRIES: Readonly<Record<RouteGroup, string>> = {
  system: 'functions/src/handlers/http/system-lambda.ts',
  notebooks: 'functions/src/handlers/http/notebooks-lambda.ts',
  runs: 'functions/src/handlers/http/runs-lambda.ts',
  servers: 'functions/src/handlers/http/servers-lambda.ts',
  admin: 'functions/src/handlers/http/admin-lambda.ts',
};

// Presigned URLs are signed with the function's own credentials, so the role needs what the browser does
// (PutObject covers CreateMultipartUpload, UploadPart and CompleteMultipartUpload).
const BUCKET_READ_WRITE = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];

/** The Cognito user pool the portal signs in with: the pool, its issuer and its hosted UI. */
export interface CognitoPool {
  userPool: IUserPool;
  /** The JWT issuer of the pool's tokens (`iss`). */
  issuer: string;
  /** The hosted UI's base URL, e.g. https://orrery-123456789012.auth.eu-west-1.amazoncognito.com */
  domainBaseUrl: string;
}

/**
 * The HTTP API, its stage and one Lambda per route group, and (with a Cognito identity) the user pool. The routes
 * and the JWT authorizer are in the API routes stack, after the web stack: the portal's Cognito client lives
 * there, because its callback URL is the CloudFront domain, and the authorizer's audience is that client.
 */
export class ApiStack extends Stack {
  /** The execute-api domain (CloudFront forwards /api/* to it). */
  readonly apiDomain: string;
  /** The API's own URL with its `api` stage, which server pods report activity to. */
  readonly apiUrl: string;
  /** Roles that call the Kubernetes API (they get an EKS access entry). */
  readonly clusterRoles: IRole[] = [];
  /** The API itself. */
  readonly httpApi: HttpApi;
  /** The Lambda serving each route group. */
  readonly functions: Record<RouteGroup, OrreryFunction>;
  /** With a Cognito identity: the user pool (state: RETAINed and deletion-protected). */
  readonly cognito?: CognitoPool;
  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    // No default stage: the one stage is `api`, so paths match what CloudFront forwards (/api/*).
    this.httpApi = new HttpApi(this, 'HttpApi', { apiName: `${config.name}-api`, description: 'Orrery HTTP API', createDefaultStage: false });
    this.apiDomain = `${this.httpApi.apiId}.execute-api.${this.region}.${this.urlSuffix}`;
    this.apiUrl = `https://${this.apiDomain}/api`;
    this.addStage(config);

    if (config.identity.kind === 'cognito') this.cognito = this.makeUserPool(config, config.identity.adminGroup);
    const environment = this.functionEnvironment(config, data);
    this.functions = Object.fromEntries(
      ROUTE_GROUPS.map((group) => [
        group,
        new OrreryFunction(this, `${capitalize(group)}Function`, { entry: API_ENTRIES[group], description: `Orrery API: ${group} routes`, environment, profilesFile: config.profilesFile }),
      ]),
    ) as Record<RouteGroup, OrreryFunction>;
    this.grant(config, data);
    // Only the servers group calls the Kubernetes API, so only it needs the VPC when the endpoint is private.
    placeInVpc(this.functions.servers, vpcPlacement(this, config));
    this.clusterRoles.push(this.functions.servers.role!);
  }

  private addStage(config: InfraConfig): void {
    const accessLogs = new LogGroup(this, 'AccessLogs', { logGroupName: `/aws/apigateway/${config.name}-api`, retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    const format = {
      requestId: '$context.requestId',
      route: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
      user: '$context.authorizer.claims.sub',
      ip: '$context.identity.sourceIp',
      error: '$context.error.message',
      integrationError: '$context.integrationErrorMessage',
    };
    new HttpStage(this, 'ApiStage', {
      httpApi: this.httpApi,
      stageName: 'api',
      autoDeploy: true,
      throttle: { burstLimit: 200, rateLimit: 100 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(JSON.stringify(format)) },
    });
  }

  /** The user pool and its hosted UI domain; the construct ids are kept so an update never replaces the pool. */
  private makeUserPool(config: InfraConfig, adminGroup: string): CognitoPool {
    const pool = new UserPool(this, 'UserPool', {
      userPoolName: `${config.name}-users`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 14, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      // The pool holds users and their MFA secrets: state, even though it lives in a stateless stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new UserPoolGroup(this, 'AdminGroup', { userPool: pool, groupName: adminGroup, description: 'Orrery administrators' });
    const domain = pool.addDomain('LoginDomain', { cognitoDomain: { domainPrefix: `${config.name}-${this.account}` } });
    // The `iss` of the pool's tokens, spelled as API Gateway's own Cognito authorizer spells it.
    const issuer = `https://cognito-idp.${this.region}.${this.urlSuffix}/${pool.userPoolId}`;
    return { userPool: pool, issuer, domainBaseUrl: domain.baseUrl() };
  }

  private functionEnvironment(config: InfraConfig, data: DataStack): Record<string, string> {
    const claims =
      config.identity.kind === 'cognito'
        ? { user: 'sub', name: 'email', teams: 'cognito:groups', adminGroup: config.identity.adminGroup }
        : config.identity.claims;
    return {
      // The API's own id within this stack: no cross-stack reference, no cycle (routes depend on functions, not the reverse).
      ...functionEnvironment(this, config, data, this.apiUrl),
      ORRERY_CLAIM_USER: claims.user,
      ORRERY_CLAIM_NAME: claims.name,
      ORRERY_CLAIM_TEAMS: claims.teams,
      ORRERY_ADMIN_GROUP: claims.adminGroup,
    };
  }

  private grant(config: InfraConfig, data: DataStack): void {
    const allow = (fn: OrreryFunction, actions: string[], resources: string[]) => fn.addToRolePolicy(new PolicyStatement({ actions, resources }));
    const { system, notebooks, runs, servers, admin } = this.functions;
    for (const fn of [system, admin]) grantTableItems(fn, data, TABLE_READ);
    for (const fn of [notebooks, runs, servers]) grantTableItems(fn, data);
    for (const fn of [notebooks, runs]) grantBucketObjects(fn, data, BUCKET_READ_WRITE);
    allow(runs, ['states:StartExecution'], [stateMachineArn(this, config, 'run'), stateMachineArn(this, config, 'stopRun')]);
    allow(servers, ['states:StartExecution'], [stateMachineArn(this, config, 'launchServer')]);
    allow(servers, ['eks:DescribeCluster'], [clusterArn(this, config)]);
    for (const fn of Object.values(this.functions)) {
      // Every entry reads its configuration with loadCloudConfig, which resolves the cursor key at cold start.
      grantCursorSecret(fn, data);
      acknowledge(fn, FUNCTION_FINDINGS);
    }
  }
}
