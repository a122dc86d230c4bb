import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  Function as CloudFrontFunction,
  HeadersFrameOption,
  type HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { OAuthScope, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { PORTAL_REFERRER_POLICY, portalCsp } from '#functions/contracts';
import type { InfraConfig } from '../config.ts';
import type { CognitoPool } from './api-stack.ts';

const BUILT_PORTAL = fileURLToPath(new URL('../../../web/dist/', import.meta.url));
const PLACEHOLDER = fileURLToPath(new URL('../portal-placeholder/', import.meta.url));

/**
 * The viewer-request function of the portal's behaviour: a page route (a last path segment without a dot, e.g.
 * /auth/callback, /runs/run-1, /) is answered with /index.html, whose router resolves it; files (/config.json,
 * /favicon.svg) and anything under /assets/ go to S3 as asked, so a missing bundle stays an error rather than HTML
 * served as JavaScript (as the local server does). The query string is a separate field and is left alone.
 */
export const SPA_ROUTING_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (uri.indexOf('/assets/') !== 0 && last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/** The Cognito sign-in written into the portal's config: the pool's issuer, the portal client and the hosted UI. */
export interface CognitoSignIn {
  /** The JWT issuer of the pool's tokens. */
  issuer: string;
  clientId: string;
  /** The hosted UI's base URL, e.g. https://orrery-123456789012.auth.eu-west-1.amazoncognito.com */
  domainBaseUrl: string;
}

/** The portal's sign-in settings in /config.json (the contract the portal reads at start). */
export type PortalAuth =
  | { mode: 'local' }
  | {
      mode: 'oidc';
      issuer: string;
      clientId: string;
      scope: string;
      authorizationEndpoint?: string;
      tokenEndpoint?: string;
      logoutEndpoint?: string;
    };

/**
 * The portal's /config.json: the API on the same origin, and how to sign in. Cognito's endpoints are its hosted
 * UI's; an OIDC provider's come from the config, and any left out the portal finds by discovery at the issuer.
 */
export const portalConfig = (
  config: InfraConfig,
  cognito: CognitoSignIn | undefined,
): { apiUrl: string; auth?: PortalAuth } => {
  const identity = config.identity;
  if (identity.kind === 'oidc') {
    const { issuer, scope, authorizationEndpoint, tokenEndpoint, logoutEndpoint } = identity;
    const endpoints = Object.fromEntries(
      Object.entries({ authorizationEndpoint, tokenEndpoint, logoutEndpoint }).filter(([, v]) => v),
    );
    return {
      apiUrl: '/api',
      auth: { mode: 'oidc', issuer, clientId: identity.clientId ?? identity.audience[0]!, scope, ...endpoints },
    };
  }
  if (!cognito) throw new Error('a Cognito identity needs the user pool and the portal client');
  const base = cognito.domainBaseUrl;
  return {
    apiUrl: '/api',
    auth: {
      mode: 'oidc',
      issuer: cognito.issuer,
      clientId: cognito.clientId,
      scope: 'openid email profile',
      authorizationEndpoint: `${base}/oauth2/authorize`,
      tokenEndpoint: `${base}/oauth2/token`,
      logoutEndpoint: `${base}/logout`,
    },
  };
};

/**
 * The portal's address: its own domain when configured, else CloudFront's. Sign-in redirects back to
 * `<origin>/auth/callback`.
 */
export const portalOrigin = (config: InfraConfig, cloudFrontDomain: string): string =>
  `https://${config.portal.domainName && config.portal.certificateArn ? config.portal.domainName : cloudFrontDomain}`;

/**
 * Where the IdP may send the browser back to: `<origin>/auth/callback` after sign-in and `<origin>/login` after
 * sign-out (the portal sends Cognito `logout_uri=<origin>/login`, which must match exactly), for the portal and
 * for every extra callback URL in the config.
 */
export const signInRedirects = (
  origin: string,
  extraCallbackUrls: readonly string[] = [],
): { callbackUrls: string[]; logoutUrls: string[] } => ({
  callbackUrls: [...new Set([`${origin}/auth/callback`, ...extraCallbackUrls])],
  logoutUrls: [...new Set([`${origin}/login`, ...extraCallbackUrls.map((url) => `${new URL(url).origin}/login`)])],
});

/** What the portal's code fetches from beyond its own origin, in the stack's region. */
export interface PortalPeers {
  /** The notebooks bucket: presigned uploads and downloads go straight to it. */
  notebookBucketName: string;
  region: string;
  urlSuffix: string;
  /** With Cognito: the hosted UI's base URL (its token endpoint). */
  cognitoDomainBaseUrl?: string;
}

/**
 * The origins the portal's `connect-src` adds to its own: the notebooks bucket as the S3 client presigns it
 * (virtual-hosted style on the regional endpoint), and where sign-in fetches: Cognito's hosted UI (token endpoint)
 * and its issuer, or the OIDC issuer (discovery) and the configured token endpoint. Authorization and logout are
 * page navigations, which connect-src does not govern.
 */
export const portalConnectSources = (config: InfraConfig, peers: PortalPeers): string[] => {
  const bucket = `https://${peers.notebookBucketName}.s3.${peers.region}.${peers.urlSuffix}`;
  const identity = config.identity;
  if (identity.kind === 'cognito') {
    if (!peers.cognitoDomainBaseUrl) throw new Error('a Cognito identity needs the hosted UI domain');
    return [bucket, peers.cognitoDomainBaseUrl, `https://cognito-idp.${peers.region}.${peers.urlSuffix}`];
  }
  const idp = [identity.issuer, identity.tokenEndpoint].flatMap((url) => (url ? [new URL(url).origin] : []));
  return [...new Set([bucket, ...idp])];
};

/** What the web stack needs. */
export interface WebStackProps extends StackProps {
  config: InfraConfig;
  /** The execute-api domain CloudFront sends /api/* to. */
  apiDomain: string;
  /** The notebooks bucket's name (the CSP admits its presigned URLs). */
  notebookBucketName: string;
  /** With a Cognito identity: the user pool (from the API stack) that the portal's client is made in. */
  cognito?: CognitoPool;
  /** The folder deployed as the portal; defaults to web/dist/ when built, else a placeholder page. */
  portalDir?: string;
  /** The WAFv2 web ACL (CLOUDFRONT scope, in us-east-1) on the distribution: `waf.webAclArn` or the edge stack's. */
  webAclArn?: string;
}

/**
 * The portal on S3 behind CloudFront, with the API under /api on the same origin, and (with Cognito) the portal's
 * user pool client, whose callback URL is the distribution's domain when the portal has none of its own.
 */
export class WebStack extends Stack {
  /** The CloudFront distribution serving the portal and /api/*. */
  readonly distribution: Distribution;
  /** With a Cognito identity: the portal's client; its id is the API authorizer's audience. */
  readonly portalClient?: UserPoolClient;
  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config } = props;
    const connectSources = portalConnectSources(config, {
      notebookBucketName: props.notebookBucketName,
      region: this.region,
      urlSuffix: this.urlSuffix,
      cognitoDomainBaseUrl: props.cognito?.domainBaseUrl,
    });
    const logs = this.makeLogBucket();
    const portal = new Bucket(this, 'PortalBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'portal-bucket/',
    });
    const customDomain = Boolean(config.portal.domainName && config.portal.certificateArn);
    this.distribution = this.makeDistribution(config, {
      portal,
      logs,
      apiDomain: props.apiDomain,
      connectSources,
      webAclArn: props.webAclArn,
    });
    const origin = portalOrigin(config, this.distribution.distributionDomainName);
    let cognito: CognitoSignIn | undefined;
    if (props.cognito) {
      this.portalClient = this.makePortalClient(
        props.cognito,
        origin,
        config.identity.kind === 'cognito' ? config.identity.callbackUrls : [],
      );
      cognito = {
        issuer: props.cognito.issuer,
        clientId: this.portalClient.userPoolClientId,
        domainBaseUrl: props.cognito.domainBaseUrl,
      };
    }
    this.deployPortal(
      portal,
      props.portalDir ?? (existsSync(BUILT_PORTAL) ? BUILT_PORTAL : PLACEHOLDER),
      portalConfig(config, cognito),
    );
    new CfnOutput(this, 'PortalUrl', {
      value: origin,
      description: 'Where the portal is served; the API is under /api',
    });
    new CfnOutput(this, 'SignInCallbackUrl', {
      value: `${origin}/auth/callback`,
      description:
        "The portal's sign-in redirect URI " +
        '(registered with Cognito by this stack; register it with an OIDC provider yourself)',
    });
    this.acknowledgeFindings(logs, portal, { customDomain, webAcl: Boolean(props.webAclArn) });
  }

  /**
   * Copies the portal into its bucket in two passes that never delete anything: the content-hashed bundles under
   * assets/ first, cached for a year (a tab opened before a deploy still finds the lazy chunks it was built with;
   * old hashed files are harmless), then the root files (index.html, config.json, favicon.svg), revalidated on
   * every load. Without pruning nothing stale is left that matters: index.html and config.json are overwritten by
   * every deploy, and the filters keep each pass to its own files. The distribution is invalidated once both are in.
   */
  private deployPortal(portal: Bucket, dir: string, config: ReturnType<typeof portalConfig>): void {
    const build = Source.asset(dir);
    const assets = new BucketDeployment(this, 'PortalAssets', {
      destinationBucket: portal,
      sources: [build],
      exclude: ['*'],
      include: ['assets/*'],
      prune: false,
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
      memoryLimit: 512,
    });
    const root = new BucketDeployment(this, 'PortalContent', {
      destinationBucket: portal,
      // jsonData resolves the deploy-time values (the pool's issuer, the client id) when the files are copied.
      sources: [build, Source.jsonData('config.json', config)],
      exclude: ['assets/*'],
      prune: false,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    // index.html names the new bundles, so it goes live only after they are in the bucket.
    root.node.addDependency(assets);
  }

  /** The distribution: the portal bucket by origin access control with the portal's headers, and /api/* to the API. */
  private makeDistribution(
    config: InfraConfig,
    parts: { portal: Bucket; logs: Bucket; apiDomain: string; connectSources: readonly string[]; webAclArn?: string },
  ): Distribution {
    const { domainName, certificateArn } = config.portal;
    const custom =
      domainName && certificateArn
        ? {
            domainNames: [domainName],
            certificate: Certificate.fromCertificateArn(this, 'PortalCertificate', certificateArn),
          }
        : undefined;
    return new Distribution(this, 'Portal', {
      comment: `${config.name} portal and API`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      // The default certificate's TLS policy is fixed; a minimum version only applies with the team's own certificate.
      ...(custom ? { ...custom, minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021 } : {}),
      ...(parts.webAclArn ? { webAclId: parts.webAclArn } : {}),
      enableLogging: true,
      logBucket: parts.logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(parts.portal),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.makeHeadersPolicy(config.name, parts.connectSources),
        compress: true,
        // Page routes to index.html here, never by errorResponses, which would also turn the API's 403s and 404s into
        // the page.
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new CloudFrontFunction(this, 'SpaRouting', {
              runtime: FunctionRuntime.JS_2_0,
              code: FunctionCode.fromInline(SPA_ROUTING_CODE),
              comment: "Serves index.html for the portal's page routes",
            }),
          },
        ],
      },
      additionalBehaviors: {
        // The API sets its own headers (rendered notebooks are framed by the portal), so no portal CSP here.
        '/api/*': {
          origin: new HttpOrigin(parts.apiDomain, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // The API's JWT authorizer needs Authorization; Host must stay the execute-api domain.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
    });
  }

  /**
   * A public client (no secret) for the code flow with PKCE, which Cognito honours; ID tokens carry `aud` = its id,
   * which is what the API's authorizer checks.
   */
  private makePortalClient(cognito: CognitoPool, origin: string, extraCallbackUrls: readonly string[]): UserPoolClient {
    return new UserPoolClient(this, 'PortalClient', {
      userPool: cognito.userPool,
      generateSecret: false,
      preventUserExistenceErrors: true,
      authFlows: { userSrp: true },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        ...signInRedirects(origin, extraCallbackUrls),
      },
    });
  }

  /** The bucket CloudFront's and the portal bucket's access logs go to (CloudFront standard logs need ACLs). */
  private makeLogBucket(): Bucket {
    return new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
  }

  /** Strict security headers for everything the portal serves. */
  private makeHeadersPolicy(name: string, connectSources: readonly string[]): ResponseHeadersPolicy {
    return new ResponseHeadersPolicy(this, 'PortalHeaders', {
      responseHeadersPolicyName: `${name}-portal-security-headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: portalCsp({ connectSources }), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: PORTAL_REFERRER_POLICY as HeadersReferrerPolicy, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      },
    });
  }

  /** cdk-nag findings this stack accepts, each with the reason. */
  private acknowledgeFindings(
    logs: Bucket,
    portal: Bucket,
    { customDomain, webAcl }: { customDomain: boolean; webAcl: boolean },
  ): void {
    const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(
      logs,
      'AwsSolutions-S1',
      'This is the access-log bucket itself; ' +
        'logging it into itself would loop, and access to it is audited by CloudTrail.',
    );
    ack(
      this.distribution,
      'AwsSolutions-CFR1',
      'Orrery is an internal tool whose users may work from anywhere; ' +
        'access is decided by the identity provider (a JWT on every API route), not by geography.',
    );
    if (!webAcl)
      ack(
        this.distribution,
        'AwsSolutions-CFR2',
        "Built without a web ACL (the app always passes one: waf.webAclArn or the edge stack's); " +
          'every /api route but health requires a JWT and is throttled by the HTTP API.',
      );
    if (!customDomain) {
      ack(
        this.distribution,
        'AwsSolutions-CFR4',
        'No portal domain and certificate are configured, so the distribution uses the CloudFront default ' +
          'certificate (*.cloudfront.net), whose minimum TLS version cannot be chosen; ' +
          'setting portal.domainName and portal.certificateArn enforces TLSv1.2_2021.',
      );
    }
    // BucketDeployment's provider Lambda is a CDK singleton at stack level whose runtime and policies aws-cdk-lib
    // controls.
    const portalArn = `<${this.getLogicalId(portal.node.defaultChild as CfnBucket)}.Arn>`;
    const partition = Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition;
    const wildcards = {
      'Action::s3:GetObject*': 'read the CDK asset holding the portal files and the portal bucket objects',
      'Action::s3:GetBucket*': 'read the location and settings of the asset and portal buckets',
      'Action::s3:List*': 'list the asset and portal buckets to sync them',
      'Action::s3:DeleteObject*':
        'delete portal files (granted with read-write by aws-cdk-lib; the portal deployments never prune) ' +
        'in the portal bucket only',
      'Action::s3:Abort*': 'abort its own multipart uploads to the portal bucket',
      [`Resource::arn:${partition}:s3:::cdk-hnb659fds-assets-${this.account}-${this.region}/*`]:
        'read objects of the CDK bootstrap asset bucket, whose key is only known at deploy time',
      [`Resource::${portalArn}/*`]: 'write any object of the portal bucket, which holds only the portal build',
      'Resource::*':
        'create and check CloudFront invalidations; aws-cdk-lib grants these on * for the singleton provider',
    };
    for (const child of this.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      ack(
        child,
        'AwsSolutions-L1',
        'The BucketDeployment custom resource Lambda runtime is pinned by aws-cdk-lib and upgraded with it; ' +
          'it runs only during deploys.',
      );
      ack(
        child,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'The BucketDeployment custom resource Lambda uses AWSLambdaBasicExecutionRole, ' +
          'which only allows writing its own CloudWatch logs.',
      );
      for (const [finding, why] of Object.entries(wildcards))
        ack(
          child,
          `AwsSolutions-IAM5[${finding}]`,
          `The BucketDeployment custom resource Lambda (deploy time only) needs this wildcard to ${why}.`,
        );
    }
  }
}
