import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
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
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { PORTAL_CSP } from '../../../functions/src/shared/portal-csp.ts';
import type { InfraConfig } from '../config.ts';

/** The portal's Content-Security-Policy (one definition for CloudFront and the local server). */
export { PORTAL_CSP };

const BUILT_PORTAL = fileURLToPath(new URL('../../../web/dist/', import.meta.url));
const PLACEHOLDER = fileURLToPath(new URL('../portal-placeholder/', import.meta.url));

/** The Cognito user pool the portal signs in with (made in the API stack): its issuer, portal client and hosted UI. */
export interface CognitoSignIn {
  /** The user pool's provider URL (the JWT issuer). */
  issuer: string;
  clientId: string;
  /** The hosted UI's base URL, e.g. https://orrery-123456789012.auth.eu-west-1.amazoncognito.com */
  domainBaseUrl: string;
}

/** The portal's sign-in settings in /config.json (the contract the portal reads at start). */
export type PortalAuth =
  | { mode: 'local' }
  | { mode: 'oidc'; issuer: string; clientId: string; scope: string; authorizationEndpoint?: string; tokenEndpoint?: string; logoutEndpoint?: string };

/**
 * The portal's /config.json: the API on the same origin, and how to sign in. Cognito's endpoints are its hosted
 * UI's; an OIDC provider's come from the config, and any left out the portal finds by discovery at the issuer.
 */
export const portalConfig = (config: InfraConfig, cognito: CognitoSignIn | undefined): { apiUrl: string; auth?: PortalAuth } => {
  const identity = config.identity;
  if (identity.kind === 'oidc') {
    const { issuer, scope, authorizationEndpoint, tokenEndpoint, logoutEndpoint } = identity;
    const endpoints = Object.fromEntries(Object.entries({ authorizationEndpoint, tokenEndpoint, logoutEndpoint }).filter(([, v]) => v));
    return { apiUrl: '/api', auth: { mode: 'oidc', issuer, clientId: identity.clientId ?? identity.audience[0]!, scope, ...endpoints } };
  }
  // Until the API stack hands its user pool over, the portal gets no sign-in settings (see infra/README.md).
  if (!cognito) return { apiUrl: '/api' };
  const base = cognito.domainBaseUrl;
  return {
    apiUrl: '/api',
    auth: { mode: 'oidc', issuer: cognito.issuer, clientId: cognito.clientId, scope: 'openid email profile', authorizationEndpoint: `${base}/oauth2/authorize`, tokenEndpoint: `${base}/oauth2/token`, logoutEndpoint: `${base}/logout` },
  };
};

/** The portal's address: its own domain when configured, else CloudFront's. Sign-in redirects back to `<origin>/auth/callback`. */
export const portalOrigin = (config: InfraConfig, cloudFrontDomain: string): string =>
  `https://${config.portal.domainName && config.portal.certificateArn ? config.portal.domainName : cloudFrontDomain}`;

/** What the web stack needs. */
export interface WebStackProps extends StackProps {
  config: InfraConfig;
  /** The execute-api domain CloudFront sends /api/* to. */
  apiDomain: string;
  /** With a Cognito identity: the user pool the portal signs in with. */
  cognito?: CognitoSignIn;
  /** The folder deployed as the portal; defaults to web/dist/ when built, else a placeholder page. */
  portalDir?: string;
}

/** The portal on S3 behind CloudFront, with the API under /api on the same origin. */
export class WebStack extends Stack {
  /** The CloudFront distribution serving the portal and /api/*. */
  readonly distribution: Distribution;
  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logs = this.makeLogBucket();
    const portal = new Bucket(this, 'PortalBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'portal-bucket/',
    });
    const { domainName, certificateArn } = config.portal;
    const custom = domainName && certificateArn ? { domainNames: [domainName], certificate: Certificate.fromCertificateArn(this, 'PortalCertificate', certificateArn) } : undefined;
    this.distribution = new Distribution(this, 'Portal', {
      comment: `${config.name} portal and API`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      // The default certificate's TLS policy is fixed; a minimum version only applies with the team's own certificate.
      ...(custom ? { ...custom, minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021 } : {}),
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(portal),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.makeHeadersPolicy(config.name),
        compress: true,
      },
      additionalBehaviors: {
        // The API sets its own headers (rendered notebooks are framed by the portal), so no portal CSP here.
        '/api/*': {
          origin: new HttpOrigin(props.apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY, originSslProtocols: [OriginSslPolicy.TLS_V1_2] }),
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // The API's JWT authorizer needs Authorization; Host must stay the execute-api domain.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
    });
    new BucketDeployment(this, 'PortalContent', {
      destinationBucket: portal,
      // jsonData resolves the deploy-time values (the pool's issuer, the client id) when the files are copied.
      sources: [Source.asset(props.portalDir ?? (existsSync(BUILT_PORTAL) ? BUILT_PORTAL : PLACEHOLDER)), Source.jsonData('config.json', portalConfig(config, props.cognito))],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    new CfnOutput(this, 'PortalUrl', { value: portalOrigin(config, this.distribution.distributionDomainName), description: 'Where the portal is served; the API is under /api' });
    new CfnOutput(this, 'SignInCallbackUrl', { value: `${portalOrigin(config, this.distribution.distributionDomainName)}/auth/callback`, description: 'The redirect URI to register with the identity provider (Cognito: identity.callbackUrls without a portal domain)' });
    this.acknowledgeFindings(logs, portal, Boolean(custom));
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
  private makeHeadersPolicy(name: string): ResponseHeadersPolicy {
    return new ResponseHeadersPolicy(this, 'PortalHeaders', {
      responseHeadersPolicyName: `${name}-portal-security-headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: PORTAL_CSP, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      },
    });
  }

  /** cdk-nag findings this stack accepts, each with the reason. */
  private acknowledgeFindings(logs: Bucket, portal: Bucket, customDomain: boolean): void {
    const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(logs, 'AwsSolutions-S1', 'This is the access-log bucket itself; logging it into itself would loop, and access to it is audited by CloudTrail.');
    ack(this.distribution, 'AwsSolutions-CFR1', 'Orrery is an internal tool whose users may work from anywhere; access is decided by the identity provider (a JWT on every API route), not by geography.');
    ack(this.distribution, 'AwsSolutions-CFR2', 'The portal is static files and every /api route but health requires a JWT and is throttled by the HTTP API; a company WAF web ACL can be attached to the distribution without code changes.');
    if (!customDomain) {
      ack(this.distribution, 'AwsSolutions-CFR4', 'No portal domain and certificate are configured, so the distribution uses the CloudFront default certificate (*.cloudfront.net), whose minimum TLS version cannot be chosen; setting portal.domainName and portal.certificateArn enforces TLSv1.2_2021.');
    }
    // BucketDeployment's provider Lambda is a CDK singleton at stack level whose runtime and policies aws-cdk-lib controls.
    const portalArn = `<${this.getLogicalId(portal.node.defaultChild as CfnBucket)}.Arn>`;
    const wildcards = {
      'Action::s3:GetObject*': 'read the CDK asset holding the portal files and the portal bucket objects',
      'Action::s3:GetBucket*': 'read the location and settings of the asset and portal buckets',
      'Action::s3:List*': 'list the asset and portal buckets to sync them',
      'Action::s3:DeleteObject*': 'delete portal files that are no longer in the build (portal bucket only)',
      'Action::s3:Abort*': 'abort its own multipart uploads to the portal bucket',
      [`Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${this.account}-${this.region}/*`]: 'read objects of the CDK bootstrap asset bucket, whose key is only known at deploy time',
      [`Resource::${portalArn}/*`]: 'write any object of the portal bucket, which holds only the portal build',
      'Resource::*': 'create and check CloudFront invalidations; aws-cdk-lib grants these on * for the singleton provider',
    };
    for (const child of this.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      ack(child, 'AwsSolutions-L1', 'The BucketDeployment custom resource Lambda runtime is pinned by aws-cdk-lib and upgraded with it; it runs only during deploys.');
      ack(child, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'The BucketDeployment custom resource Lambda uses AWSLambdaBasicExecutionRole, which only allows writing its own CloudWatch logs.');
      for (const [finding, why] of Object.entries(wildcards)) ack(child, `AwsSolutions-IAM5[${finding}]`, `The BucketDeployment custom resource Lambda (deploy time only) needs this wildcard to ${why}.`);
    }
  }
}
