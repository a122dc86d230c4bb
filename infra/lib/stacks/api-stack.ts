import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, type IHttpRouteAuthorizer, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccountRecovery, FeaturePlan, Mfa, OAuthScope, StandardThreatProtectionMode, UserPool, UserPoolGroup } from 'aws-cdk-lib/aws-cognito';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { TABLE_DESIGN } from '../../../functions/src/adapters/aws/table-design.ts';
import { API_ROUTES } from '../../../functions/src/handlers/http/api-routes.ts';
import type { RouteGroup } from '../../../functions/src/shared/http/route-spec.ts';
import type { InfraConfig } from '../config.ts';
import { OrreryFunction } from '../constructs/orrery-function.ts';
import { clusterArn, functionEnvironment, grantCursorSecret, nagArn, placeInVpc, TABLE_READ, TABLE_WRITE, vpcPlacement } from '../function-access.ts';
import { stateMachineArn } from '../names.ts';
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

/** The HTTP API with its JWT authorizer and one Lambda per route group. */
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
  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    // No default stage: the one stage is `api`, so paths match what CloudFront forwards (/api/*).
    this.httpApi = new HttpApi(this, 'HttpApi', { apiName: `${config.name}-api`, description: 'Orrery HTTP API', createDefaultStage: false });
    this.apiDomain = `${this.httpApi.apiId}.execute-api.${this.region}.${this.urlSuffix}`;
    this.apiUrl = `https://${this.apiDomain}/api`;
    this.addStage(config);

    const authorizer = this.makeAuthorizer(config);
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
    this.addRoutes(authorizer);
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

  private makeAuthorizer(config: InfraConfig): IHttpRouteAuthorizer {
    const identity = config.identity;
    if (identity.kind === 'oidc') return new HttpJwtAuthorizer('JwtAuthorizer', identity.issuer, { jwtAudience: identity.audience });
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
    new UserPoolGroup(this, 'AdminGroup', { userPool: pool, groupName: identity.adminGroup, description: 'Orrery administrators' });
    const callbackUrls = [...(config.portal.domainName ? [`https://${config.portal.domainName}/`] : []), ...identity.callbackUrls];
    pool.addDomain('LoginDomain', { cognitoDomain: { domainPrefix: `${config.name}-${this.account}` } });
    // A public client (no secret): the portal runs the code flow with PKCE (Cognito honours code_challenge).
    // Without a known callback URL the hosted login cannot redirect anywhere, so OAuth stays off until one is configured.
    const client = pool.addClient('PortalClient', {
      generateSecret: false,
      preventUserExistenceErrors: true,
      authFlows: { userSrp: true },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      ...(callbackUrls.length > 0
        ? { oAuth: { flows: { authorizationCodeGrant: true }, scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE], callbackUrls, logoutUrls: callbackUrls } }
        : { disableOAuth: true }),
    });
    return new HttpJwtAuthorizer('JwtAuthorizer', pool.userPoolProviderUrl, { jwtAudience: [client.userPoolClientId] });
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
    const tableArns = [data.table.tableArn, ...TABLE_DESIGN.indexes.map((index) => `${data.table.tableArn}/index/${index.name}`)];
    // exportValue returns the same Fn::ImportValue a plain reference would make, with its export name readable.
    const bucketArn = data.exportValue(data.bucket.bucketArn);
    const objects = `${bucketArn}/*`;
    const allow = (fn: OrreryFunction, actions: string[], resources: string[]) => fn.addToRolePolicy(new PolicyStatement({ actions, resources }));
    const { system, notebooks, runs, servers, admin } = this.functions;
    for (const fn of [system, admin]) allow(fn, TABLE_READ, tableArns);
    for (const fn of [notebooks, runs, servers]) allow(fn, [...TABLE_READ, ...TABLE_WRITE], tableArns);
    for (const fn of [notebooks, runs]) allow(fn, BUCKET_READ_WRITE, [objects]);
    allow(runs, ['states:StartExecution'], [stateMachineArn(this, config, 'run'), stateMachineArn(this, config, 'stopRun')]);
    allow(servers, ['states:StartExecution'], [stateMachineArn(this, config, 'launchServer')]);
    allow(servers, ['eks:DescribeCluster'], [clusterArn(this, config)]);
    for (const fn of Object.values(this.functions)) {
      // Every entry reads its configuration with loadCloudConfig, which resolves the cursor key at cold start.
      grantCursorSecret(fn, data);
      Validations.of(fn).acknowledge(
        { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) and, for a function placed in a VPC, the network-interface actions Lambda needs support no resource-level permissions, so AWS requires Resource "*".' },
        ...(fn === notebooks || fn === runs
          ? [{ id: `AwsSolutions-IAM5[Resource::${nagArn(fn, data.bucket, data.bucket.bucketArn)}/*]`, reason: "Object keys (notebook bodies, uploads, run outputs) are made at run time; access is limited to this one bucket's objects and the use cases authorize each key." }]
          : []),
      );
    }
  }

  private addRoutes(authorizer: IHttpRouteAuthorizer): void {
    const integrations = Object.fromEntries(ROUTE_GROUPS.map((group) => [group, new HttpLambdaIntegration(`${capitalize(group)}Integration`, this.functions[group])]));
    for (const [name, spec] of Object.entries(API_ROUTES)) {
      const route = new HttpRoute(this, `Route${capitalize(name)}`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(spec.path, spec.method as HttpMethod),
        integration: integrations[spec.group]!,
        ...(spec.auth ? { authorizer } : {}),
      });
      if (!spec.auth) {
        const why = 'serverToken' in spec && spec.serverToken ? 'server pods report activity with their own server token, which the handler verifies' : 'public by design (liveness probe or the API description), returns no user data';
        Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: `No JWT authorizer on ${spec.method} ${spec.path}: ${why}.` });
      }
    }
  }
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
