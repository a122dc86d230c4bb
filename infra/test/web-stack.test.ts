import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { describe, expect, it } from 'vitest';
import { InfraConfigSchema, loadInfraConfig, PORTAL_DOMAIN_PAIR, type InfraConfig } from '../lib/config.ts';
import { portalConfig, portalConnectSources, signInRedirects, WebStack } from '../lib/stacks/web-stack.ts';
import example from '../orrery.config.example.json' with { type: 'json' };
import { render } from './support-api.ts';

const API_DOMAIN = 'abc123.execute-api.eu-west-1.amazonaws.com';
const BUCKET = 'orrery-data-notebooks05b72151-abc';
const POOL_ID = 'eu-west-1_AbC123';
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`;
const HOSTED_UI = 'https://orrery-123456789012.auth.eu-west-1.amazoncognito.com';
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
const config = (overrides: Partial<InfraConfig> = {}): InfraConfig => ({
  ...InfraConfigSchema.parse(example),
  ...overrides,
});
const oidc = (extra: Record<string, string> = {}): InfraConfig =>
  config({
    identity: {
      kind: 'oidc',
      issuer: 'https://login.example.com/oauth2',
      audience: ['api://orrery'],
      scope: 'openid email profile',
      claims: { user: 'sub', name: 'name', teams: 'groups', adminGroup: 'admins' },
      ...extra,
    },
  });

/** The web stack in an app of its own; with Cognito, over a user pool in a stand-in API stack. */
const build = (c: InfraConfig = config()) => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'orrery-web-')) });
  const cognito =
    c.identity.kind === 'cognito'
      ? {
          userPool: new UserPool(new Stack(app, 'api', { env: c.env }), 'UserPool'),
          issuer: ISSUER,
          domainBaseUrl: HOSTED_UI,
        }
      : undefined;
  const stack = new WebStack(app, 'web', {
    env: c.env,
    config: c,
    apiDomain: API_DOMAIN,
    notebookBucketName: BUCKET,
    cognito,
  });
  return { app, stack, template: Template.fromStack(stack) };
};
const synth = (c: InfraConfig = config()) => build(c).template;

/** The portal's two deployments by construct id: the hashed assets and the root files. */
const deployments = (stack: WebStack, template: Template) => {
  const of = (constructId: string) => {
    const resource = stack.node
      .findChild(constructId)
      .node.findAll()
      .find((c): c is CfnResource => c instanceof CfnResource && c.cfnResourceType === 'Custom::CDKBucketDeployment')!;
    const id = stack.getLogicalId(resource);
    return {
      id,
      ...(template.toJSON().Resources[id] as { Properties: Record<string, unknown>; DependsOn?: string[] }),
    };
  };
  return { assets: of('PortalAssets'), root: of('PortalContent') };
};
/** The config.json the deployment writes, with each deploy-time value rendered as `render` shows it. */
const deployedConfigJson = (c: InfraConfig): unknown => {
  const { app, stack, template } = build(c);
  const assembly = app.synth();
  const deployment = deployments(stack, template).root.Properties as { SourceMarkers?: Record<string, unknown>[] };
  const dirs = readdirSync(assembly.directory).filter(
    (d) => d.startsWith('asset.') && existsSync(join(assembly.directory, d, 'config.json')),
  );
  expect(dirs).toHaveLength(1);
  let text = readFileSync(join(assembly.directory, dirs[0]!, 'config.json'), 'utf8');
  for (const [marker, value] of Object.entries(deployment.SourceMarkers?.[1] ?? {}))
    text = text.replaceAll(marker, render(value));
  return JSON.parse(text);
};
/** The portal's origin under CloudFront's generated name, as `render` shows it. */
const cloudFrontOrigin = (stack: WebStack): string =>
  `https://\${${stack.getLogicalId(stack.distribution.node.defaultChild as CfnElement)}.DomainName}`;
const distributionConfig = (template: Template) =>
  Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
type Request = { uri: string; querystring: Record<string, { value: string }> };
/** The SPA routing function as CloudFront runs it: its code, taken from the template, evaluated in this process. */
const routingHandler = (template: Template): ((event: { request: Request }) => Request) => {
  const functions = Object.values(template.findResources('AWS::CloudFront::Function'));
  expect(functions).toHaveLength(1);
  const { FunctionCode: code, FunctionConfig: settings } = functions[0]!.Properties as {
    FunctionCode: string;
    FunctionConfig: { Runtime: string };
  };
  expect(settings.Runtime).toBe('cloudfront-js-2.0');
  return new Function(`${code}; return handler;`)() as (event: { request: Request }) => Request;
};

describe('WebStack', () => {
  it('serves the portal from a private, encrypted bucket through origin access control', () => {
    // Prepare
    const template = synth();

    // Act
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));

    // Assess
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }),
    });
    for (const bucket of buckets) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption).toBeDefined();
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' }),
        ]),
      },
    });
    expect(distributionConfig(template).DefaultRootObject).toBe('index.html');
  });

  it('forwards /api/* to the API domain over HTTPS with caching disabled and every viewer header but Host', () => {
    // Prepare
    const template = synth();

    // Act
    const dist = distributionConfig(template);
    const api = dist.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');
    const origin = dist.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);

    // Assess
    expect(origin.DomainName).toBe(API_DOMAIN);
    expect(origin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
    // Managed-AllViewerExceptHostHeader, Authorization included
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    expect(api.AllowedMethods).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']),
    );
    expect(api.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  it('redirects plain HTTP to HTTPS for the portal', () => {
    // Prepare
    const template = synth();

    // Act
    const dist = distributionConfig(template);

    // Assess
    expect(dist.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(dist.Logging.Bucket).toBeDefined();
  });

  it('sends the strict Content-Security-Policy and the other security headers with the portal', () => {
    // Prepare
    const template = synth();

    // Act
    const policy = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0]!;
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;

    // Assess
    expect(headers.ContentSecurityPolicy.Override).toBe(true);
    expect(render(headers.ContentSecurityPolicy.ContentSecurityPolicy)).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; font-src 'self'; " +
        `connect-src 'self' https://${BUCKET}.s3.eu-west-1.\${Ref:AWS::URLSuffix} ${HOSTED_UI} ` +
        `https://cognito-idp.eu-west-1.\${Ref:AWS::URLSuffix}; ` +
        "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
    );
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(headers.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
    expect(distributionConfig(template).DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({
      Ref: template.getResourceId('AWS::CloudFront::ResponseHeadersPolicy'),
    });
  });

  it('lets an OIDC portal connect to the notebooks bucket, the issuer and the token endpoint’s host, and nothing else', () => {
    // Prepare
    const peers = { notebookBucketName: BUCKET, region: 'eu-west-1', urlSuffix: 'amazonaws.com' };
    const endpoints = {
      tokenEndpoint: 'https://tokens.example.net/oauth2/token',
      authorizationEndpoint: 'https://login.example.com/oauth2/authorize',
      logoutEndpoint: 'https://sso.example.org/logout',
    };

    // Act
    const discovered = portalConnectSources(oidc(), peers);
    const configured = portalConnectSources(oidc(endpoints), peers);
    const csp = render(
      Object.values(synth(oidc(endpoints)).findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0]!.Properties
        .ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy,
    );

    // Assess
    expect(discovered).toEqual([`https://${BUCKET}.s3.eu-west-1.amazonaws.com`, 'https://login.example.com']);
    expect(configured).toEqual([
      `https://${BUCKET}.s3.eu-west-1.amazonaws.com`,
      'https://login.example.com',
      'https://tokens.example.net',
    ]);
    expect(csp).toContain(
      `; connect-src 'self' https://${BUCKET}.s3.eu-west-1.\${Ref:AWS::URLSuffix} ` +
        'https://login.example.com https://tokens.example.net; ',
    );
  });

  it('makes no Cognito client for an OIDC identity and gives the portal the issuer and client, with only the endpoints the config names', () => {
    // Prepare
    const explicitConfig = oidc({ clientId: 'portal', tokenEndpoint: 'https://login.example.com/token' });

    // Act
    const written = deployedConfigJson(oidc());
    const explicit = portalConfig(explicitConfig, undefined);

    // Assess
    synth(oidc()).resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    expect(written).toEqual({
      apiUrl: '/api',
      auth: {
        mode: 'oidc',
        issuer: 'https://login.example.com/oauth2',
        clientId: 'api://orrery',
        scope: 'openid email profile',
      },
    });
    expect(explicit.auth).toEqual({
      mode: 'oidc',
      issuer: 'https://login.example.com/oauth2',
      clientId: 'portal',
      scope: 'openid email profile',
      tokenEndpoint: 'https://login.example.com/token',
    });
  });

  it.each([
    { portal: 'CloudFront’s domain', c: config(), origin: undefined, extra: [] as string[] },
    {
      portal: 'its own domain',
      c: config({
        portal: { domainName: 'notebooks.example.com', certificateArn: CERTIFICATE },
        identity: {
          kind: 'cognito',
          adminGroup: 'orrery-admins',
          callbackUrls: ['http://localhost:5173/auth/callback'],
        },
      }),
      origin: 'https://notebooks.example.com',
      extra: ['http://localhost:5173'],
    },
  ])(
    'registers the portal’s Cognito client for sign-in and sign-out at $portal and writes its sign-in into config.json',
    ({ c, origin: domainOrigin, extra }) => {
      // Prepare
      const { stack, template } = build(c);
      const origin = domainOrigin ?? cloudFrontOrigin(stack);

      // Act
      const client = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
      const written = deployedConfigJson(c);

      // Assess
      expect(client).toHaveLength(1);
      const props = client[0]!.Properties as Record<string, unknown[]>;
      expect(render(props.UserPoolId)).toMatch(/^\$\{Import:api:ExportsOutputRefUserPool[0-9A-F]{16}\}$/);
      expect(props).toMatchObject({
        GenerateSecret: false,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        SupportedIdentityProviders: ['COGNITO'],
      });
      expect(props.CallbackURLs!.map(render)).toEqual([
        `${origin}/auth/callback`,
        ...extra.map((o) => `${o}/auth/callback`),
      ]);
      expect(props.LogoutURLs!.map(render)).toEqual([`${origin}/login`, ...extra.map((o) => `${o}/login`)]);
      expect(written).toEqual({
        apiUrl: '/api',
        auth: {
          mode: 'oidc',
          issuer: ISSUER,
          clientId: `\${Ref:${stack.getLogicalId(stack.portalClient!.node.defaultChild as CfnElement)}}`,
          scope: 'openid email profile',
          authorizationEndpoint: `${HOSTED_UI}/oauth2/authorize`,
          tokenEndpoint: `${HOSTED_UI}/oauth2/token`,
          logoutEndpoint: `${HOSTED_UI}/logout`,
        },
      });
      template.hasOutput('SignInCallbackUrl', {});
      expect(render(template.findOutputs('SignInCallbackUrl').SignInCallbackUrl!.Value)).toBe(
        `${origin}/auth/callback`,
      );
    },
  );

  it('derives the sign-out URL the portal sends (`<origin>/login`) from every callback URL, once each', () => {
    // Prepare
    const extra = ['https://portal.example.com/auth/callback', 'http://localhost:5173/auth/callback'];

    // Act
    const redirects = signInRedirects('https://portal.example.com', extra);

    // Assess
    expect(redirects).toEqual({
      callbackUrls: ['https://portal.example.com/auth/callback', 'http://localhost:5173/auth/callback'],
      logoutUrls: ['https://portal.example.com/login', 'http://localhost:5173/login'],
    });
  });

  it('deploys the hashed assets for a year first, then index.html, config.json and the other root files revalidated, invalidating the distribution once', () => {
    // Prepare
    const { stack, template } = build();

    // Act
    const { assets, root } = deployments(stack, template);

    // Assess
    template.resourceCountIs('Custom::CDKBucketDeployment', 2);
    expect(assets.Properties).toMatchObject({
      Include: ['assets/*'],
      Exclude: ['*'],
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(assets.Properties.DistributionId).toBeUndefined();
    expect(root.Properties).toMatchObject({
      Exclude: ['assets/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/*'],
    });
    expect(root.Properties.Include).toBeUndefined();
    expect(root.Properties.SourceObjectKeys).toHaveLength(2);
    expect((root.Properties.SourceObjectKeys as unknown[])[0]).toEqual(
      (assets.Properties.SourceObjectKeys as unknown[])[0],
    );
    expect(root.DependsOn).toContain(assets.id);
    expect(render(template.findOutputs('PortalUrl').PortalUrl!.Value)).toBe(cloudFrontOrigin(stack));
  });

  it('never prunes the portal bucket, so a tab opened before a deploy still loads its lazy chunks', () => {
    // Prepare
    const { stack, template } = build();

    // Act
    const { assets, root } = deployments(stack, template);

    // Assess
    expect(assets.Properties.Prune).toBe(false);
    expect(root.Properties.Prune).toBe(false);
  });

  it('routes page requests to index.html by a viewer-request function on the portal’s behaviour only, with no error pages', () => {
    // Prepare
    const template = synth();

    // Act
    const dist = distributionConfig(template);
    const api = dist.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');

    // Assess
    expect(dist.DefaultCacheBehavior.FunctionAssociations).toEqual([
      {
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': [template.getResourceId('AWS::CloudFront::Function'), 'FunctionARN'] },
      },
    ]);
    expect(api.FunctionAssociations).toBeUndefined();
    expect(dist.CacheBehaviors).toHaveLength(1);
    expect(dist.CustomErrorResponses).toBeUndefined();
  });

  it.each([
    { uri: '/auth/callback', to: '/index.html' },
    { uri: '/runs/run-1', to: '/index.html' },
    { uri: '/notebooks/nb-1/', to: '/index.html' },
    { uri: '/', to: '/index.html' },
    { uri: '/login', to: '/index.html' },
    { uri: '/assets/index-abc.js', to: '/assets/index-abc.js' },
    { uri: '/assets/no-extension', to: '/assets/no-extension' },
    { uri: '/config.json', to: '/config.json' },
    { uri: '/favicon.svg', to: '/favicon.svg' },
    { uri: '/index.html', to: '/index.html' },
  ])('the routing function sends $uri to $to and keeps the query string', ({ uri, to }) => {
    // Prepare
    const handler = routingHandler(synth());
    const querystring = { next: { value: '/runs/run-1' } };

    // Act
    const request = handler({ request: { uri, querystring: { ...querystring } } });

    // Assess
    expect(request).toEqual({ uri: to, querystring });
  });

  it.each([
    { set: 'a domain without a certificate', portal: { domainName: 'notebooks.example.com' } },
    { set: 'a certificate without a domain', portal: { certificateArn: CERTIFICATE } },
  ])('refuses $set, saying the two go together', ({ portal }) => {
    // Prepare
    const path = join(mkdtempSync(join(tmpdir(), 'orrery-config-')), 'orrery.config.json');
    writeFileSync(path, JSON.stringify({ ...example, portal }));

    // Act
    const load = () => loadInfraConfig(path);

    // Assess
    expect(load).toThrow(`${path}: portal: ${PORTAL_DOMAIN_PAIR}`);
    expect(PORTAL_DOMAIN_PAIR).toContain('us-east-1');
    expect(
      InfraConfigSchema.safeParse({
        ...example,
        portal: { domainName: 'notebooks.example.com', certificateArn: CERTIFICATE },
      }).success,
    ).toBe(true);
  });

  it('uses the configured domain and certificate with TLS 1.2 at least', () => {
    // Prepare
    // Act
    const dist = distributionConfig(
      synth(config({ portal: { domainName: 'notebooks.example.com', certificateArn: CERTIFICATE } })),
    );

    // Assess
    expect(dist.Aliases).toEqual(['notebooks.example.com']);
    expect(dist.ViewerCertificate).toMatchObject({
      AcmCertificateArn: CERTIFICATE,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
  });
});
