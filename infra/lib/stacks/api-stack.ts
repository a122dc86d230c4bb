import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AccountRecovery,
  FeaturePlan,
  type IUserPool,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { API_ROUTES, type RouteGroup } from '#functions/contracts';
import type { InfraConfig } from '../config.ts';
import { OrreryFunction } from '../constructs/orrery-function.ts';
import { BROKER_ACTIONS, brokerRoleName, registryRoleArns, trustPolicyFor } from '../credential-roles.ts';
import {
  acknowledge,
  clusterArn,
  FUNCTION_FINDINGS,
  functionEnvironment,
  grantBucketObjects,
  grantCursorSecret,
  grantScheduleCalendar,
  grantNotices,
  grantTableItems,
  placeInVpc,
  SCHEDULE_MANAGEMENT,
  TABLE_READ,
  vpcPlacement,
} from '../function-access.ts';
import { capitalize, stateMachineArn } from '../names.ts';
import type { DataStack } from './data-stack.ts';

/** What the API stack needs. */
export interface ApiStackProps extends StackProps {
  config: InfraConfig;
  data: DataStack;
}

/** The route groups, one Lambda each. */
export const ROUTE_GROUPS: readonly RouteGroup[] = [
  'system',
  'notebooks',
  'runs',
  'servers',
  'admin',
  'credentials',
  'schedules',
];

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
  credentials: 'functions/src/handlers/http/credentials-lambda.ts',
  schedules: 'functions/src/handlers/http/schedules-lambda.ts',
};

/** The route groups that serve lists, so sign and check cursors: those with a route taking a `cursor` query. */
export const LISTING_GROUPS: readonly RouteGroup[] = ROUTE_GROUPS.filter((group) =>
  Object.values(API_ROUTES).some(
    (spec) => spec.group === group && 'cursor' in ((spec.query as { shape?: object } | undefined)?.shape ?? {}),
  ),
);

/** The route groups that render notebooks (a route producing text/html): their concurrency is reserved and capped. */
export const RENDER_GROUPS: readonly RouteGroup[] = ROUTE_GROUPS.filter((group) =>
  Object.values(API_ROUTES).some((spec) => spec.group === group && spec.produces === 'text/html'),
);

const READ = ['s3:GetObject'];
const READ_WRITE = ['s3:GetObject', 's3:PutObject'];

/** The Cognito user pool the portal signs in with: the pool, its issuer and its hosted UI. */
export interface CognitoPool {
  userPool: IUserPool;
  /** The JWT issuer of the pool's tokens (`iss`). */
  issuer: string;
  /** The hosted UI's base URL, e.g. https://orrery-123456789012.auth.eu-west-1.amazoncognito.com */
  domainBaseUrl: string;
}

/**
 * The HTTP API, its access log group and one Lambda per route group, and (with a Cognito identity) the user pool.
 * The routes, the JWT authorizer and the `api` stage are in the API routes stack, after the web stack: the portal's
 * Cognito client lives there, because its callback URL is the CloudFront domain, and the authorizer's audience is
 * that client; the stage's per-route throttles name routes, which must exist before it.
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
  /** Where the `api` stage (made with the routes, in the API routes stack) writes its access logs. */
  readonly accessLogs: LogGroup;
  /** The Lambda serving each route group. */
  readonly functions: Record<RouteGroup, OrreryFunction>;
  /** With a Cognito identity: the user pool (state: RETAINed and deletion-protected). */
  readonly cognito?: CognitoPool;
  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    // No default stage: the one stage is `api`, so paths match what CloudFront forwards (/api/*).
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `${config.name}-api`,
      description: 'Orrery HTTP API',
      createDefaultStage: false,
    });
    this.apiDomain = `${this.httpApi.apiId}.execute-api.${this.region}.${this.urlSuffix}`;
    this.apiUrl = `https://${this.apiDomain}/api`;
    // Kept here across deploys (the stage itself is the API routes stack's: its per-route throttles need the routes).
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/apigateway/${config.name}-api`,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    if (config.identity.kind === 'cognito') this.cognito = this.makeUserPool(config, config.identity.adminGroup);
    const environment = this.functionEnvironment(config, data);
    this.functions = Object.fromEntries(
      ROUTE_GROUPS.map((group) => [
        group,
        new OrreryFunction(this, `${capitalize(group)}Function`, {
          entry: API_ENTRIES[group],
          description: `Orrery API: ${group} routes`,
          environment,
          profilesFile: config.profilesFile,
          rolesFile: config.rolesFile,
          sparkPoolsFile: config.sparkPoolsFile,
          reservedConcurrentExecutions: RENDER_GROUPS.includes(group)
            ? (config.api.renderConcurrency ?? undefined)
            : undefined,
          roleName: group === 'credentials' ? brokerRoleName(config) : undefined,
        }),
      ]),
    ) as Record<RouteGroup, OrreryFunction>;
    this.grant(config, data);
    // Only the servers group calls the Kubernetes API, so only it needs the VPC when the endpoint is private.
    placeInVpc(this.functions.servers, vpcPlacement(this, config));
    this.clusterRoles.push(this.functions.servers.role!);
    this.outputTrustPolicy();
  }

  // What each role in the registry must trust, printed by the deploy (and offline by `npm run trust-policy`): the
  // same document for every role, since only the broker and Orrery's tag keys appear in it.
  private outputTrustPolicy(): void {
    const broker = this.functions.credentials.role!.roleArn;
    new CfnOutput(this, 'CredentialsBrokerRoleArn', {
      description: "The role that assumes users' roles (POST /credentials): each role in rolesFile must trust it",
      value: broker,
    });
    new CfnOutput(this, 'CredentialsTrustPolicy', {
      description: 'The trust policy each role in rolesFile needs (npm run trust-policy -- <role> prints it too)',
      value: this.toJsonString(trustPolicyFor(broker)),
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
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      // The pool holds users and their MFA secrets: state, even though it lives in a stateless stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new UserPoolGroup(this, 'AdminGroup', {
      userPool: pool,
      groupName: adminGroup,
      description: 'Orrery administrators',
    });
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
      // The API's own id within this stack: no cross-stack reference, no cycle (routes depend on functions, not the
      // reverse).
      ...functionEnvironment(this, config, data, this.apiUrl),
      ORRERY_CLAIM_USER: claims.user,
      ORRERY_CLAIM_NAME: claims.name,
      ORRERY_CLAIM_TEAMS: claims.teams,
      ORRERY_ADMIN_GROUP: claims.adminGroup,
      ...(config.identity.kind === 'oidc' && config.identity.claims.admin
        ? { ORRERY_ADMIN_CLAIM: config.identity.claims.admin }
        : {}),
    };
  }

  private grant(config: InfraConfig, data: DataStack): void {
    const allow = (fn: OrreryFunction, actions: string[], resources: string[]) =>
      fn.addToRolePolicy(new PolicyStatement({ actions, resources }));
    const { system, notebooks, runs, servers, admin, credentials, schedules } = this.functions;
    for (const fn of [system, admin]) grantTableItems(fn, data, TABLE_READ);
    for (const fn of [notebooks, runs, servers, schedules]) grantTableItems(fn, data);
    // The credential log only ever adds items.
    grantTableItems(credentials, data, [...TABLE_READ, 'dynamodb:PutItem']);
    // The broker may assume exactly the registry's roles, setting the source identity and tagging the session
    // (each role's trust policy must allow the same); without a registry, no STS rights at all.
    const roleArns = registryRoleArns(config);
    if (roleArns.length) allow(credentials, [...BROKER_ACTIONS], roleArns);
    // Presigned URLs carry the signer's rights, so each grant covers what the browser does with them too. The
    // notebooks group keeps bodies and uploads (and deletes only uploads, never run outputs); the runs group reads run
    // outputs only (starting a run reads the version's record, not its body: the Prepare task reads that). Both
    // read and write the rendered-HTML cache, and nothing else there.
    grantBucketObjects(notebooks, data, {
      'bodies/': READ_WRITE,
      'uploads/': [...READ_WRITE, 's3:DeleteObject'],
      'rendered/': READ_WRITE,
    });
    grantBucketObjects(runs, data, { 'runs/': READ, 'rendered/': READ_WRITE });
    allow(
      runs,
      ['states:StartExecution'],
      [stateMachineArn(this, config, 'run'), stateMachineArn(this, config, 'stopRun')],
    );
    allow(servers, ['states:StartExecution'], [stateMachineArn(this, config, 'launchServer')]);
    // Schedules keep one Scheduler schedule each in Orrery's group, run as the execution role; the schedules stack
    // is built after this one (it takes the API's URL), so both name them by construction (names.ts). Triggering a
    // schedule now starts its run like any other.
    grantScheduleCalendar(schedules, config, SCHEDULE_MANAGEMENT);
    allow(schedules, ['states:StartExecution'], [stateMachineArn(this, config, 'run')]);
    // A resume's missed due times may fail to start: their owners are told.
    grantNotices(schedules, config);
    allow(servers, ['eks:DescribeCluster'], [clusterArn(this, config)]);
    // A high-cost Spark session notifies its owner as it starts (the culler's notices come from its own function).
    grantNotices(servers, config);
    // Only the groups that serve lists sign cursors; loadCloudConfig reads the key at their cold start.
    for (const group of LISTING_GROUPS) grantCursorSecret(this.functions[group], data);
    for (const fn of Object.values(this.functions)) acknowledge(fn, FUNCTION_FINDINGS);
  }
}
