import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InfraConfigSchema, type InfraConfig } from '../lib/config.ts';
import { portalConfig, WebStack } from '../lib/stacks/web-stack.ts';
import example from '../orrery.config.example.json' with { type: 'json' };

const API_DOMAIN = 'abc123.execute-api.eu-west-1.amazonaws.com';
const config = (overrides: Partial<InfraConfig> = {}): InfraConfig => ({ ...InfraConfigSchema.parse(example), ...overrides });
const synth = (c: InfraConfig = config()) => Template.fromStack(new WebStack(new App(), 'web', { env: c.env, config: c, apiDomain: API_DOMAIN }));
const distributionConfig = (template: Template) => Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;

describe('WebStack', () => {
  it('serves the portal from a private, encrypted bucket through origin access control', () => {
    // Prepare
    const template = synth();

    // Act
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));

    // Assess
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }) });
    for (const bucket of buckets) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket.Properties.BucketEncryption).toBeDefined();
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' })]) },
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
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // Managed-AllViewerExceptHostHeader, Authorization included
    expect(api.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']));
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
    expect(headers.ContentSecurityPolicy).toEqual({
      ContentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
      Override: true,
    });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.ReferrerPolicy.ReferrerPolicy).toBe('strict-origin-when-cross-origin');
    expect(headers.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
    expect(distributionConfig(template).DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: template.getResourceId('AWS::CloudFront::ResponseHeadersPolicy') });
  });

  it('deploys the portal files with a config.json that points the portal at /api', () => {
    // Prepare
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'orrery-web-')) });
    const c = config();
    const template = Template.fromStack(new WebStack(app, 'web', { env: c.env, config: c, apiDomain: API_DOMAIN }));

    // Act
    const assembly = app.synth();
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0]!;
    const configs = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.') && existsSync(join(assembly.directory, d, 'config.json')));

    // Assess
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    expect(deployment.Properties.DistributionPaths).toEqual(['/*']);
    expect(configs).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(assembly.directory, configs[0]!, 'config.json'), 'utf8'))).toEqual({ apiUrl: '/api' });
    template.hasOutput('PortalUrl', {});
  });

  it('writes the Cognito hosted UI’s endpoints, the issuer and the portal client into config.json', () => {
    // Prepare
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'orrery-web-')) });
    const c = config();
    const cognito = { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc', clientId: 'portal-client', domainBaseUrl: 'https://orrery-123456789012.auth.eu-west-1.amazoncognito.com' };
    new WebStack(app, 'web', { env: c.env, config: c, apiDomain: API_DOMAIN, cognito });

    // Act
    const assembly = app.synth();
    const dir = readdirSync(assembly.directory).find((d) => d.startsWith('asset.') && existsSync(join(assembly.directory, d, 'config.json')))!;
    const written = JSON.parse(readFileSync(join(assembly.directory, dir, 'config.json'), 'utf8'));

    // Assess
    expect(written).toEqual({
      apiUrl: '/api',
      auth: {
        mode: 'oidc',
        issuer: cognito.issuer,
        clientId: 'portal-client',
        scope: 'openid email profile',
        authorizationEndpoint: `${cognito.domainBaseUrl}/oauth2/authorize`,
        tokenEndpoint: `${cognito.domainBaseUrl}/oauth2/token`,
        logoutEndpoint: `${cognito.domainBaseUrl}/logout`,
      },
    });
  });

  it('gives the portal the OIDC issuer and client, with only the endpoints the config names (discovery finds the rest)', () => {
    // Prepare
    const oidc = (extra: Record<string, string> = {}): InfraConfig => config({
      identity: { kind: 'oidc', issuer: 'https://login.example.com', audience: ['api://orrery'], scope: 'openid email profile', claims: { user: 'sub', name: 'name', teams: 'groups', adminGroup: 'admins' }, ...extra },
    });

    // Act
    const byDefault = portalConfig(oidc(), undefined);
    const explicit = portalConfig(oidc({ clientId: 'portal', tokenEndpoint: 'https://login.example.com/token' }), undefined);

    // Assess
    expect(byDefault).toEqual({ apiUrl: '/api', auth: { mode: 'oidc', issuer: 'https://login.example.com', clientId: 'api://orrery', scope: 'openid email profile' } });
    expect(explicit.auth).toEqual({ mode: 'oidc', issuer: 'https://login.example.com', clientId: 'portal', scope: 'openid email profile', tokenEndpoint: 'https://login.example.com/token' });
  });

  it('tells the operator the redirect URI to register: the portal domain’s when configured, else CloudFront’s', () => {
    // Prepare
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';

    // Act
    const custom = synth(config({ portal: { domainName: 'notebooks.example.com', certificateArn } }));
    const generated = synth();

    // Assess
    custom.hasOutput('SignInCallbackUrl', { Value: 'https://notebooks.example.com/auth/callback' });
    expect(JSON.stringify(generated.findOutputs('SignInCallbackUrl'))).toMatch(/DomainName.*\/auth\/callback/);
  });

  it('uses the configured domain and certificate with TLS 1.2 at least', () => {
    // Prepare
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';

    // Act
    const dist = distributionConfig(synth(config({ portal: { domainName: 'notebooks.example.com', certificateArn } })));

    // Assess
    expect(dist.Aliases).toEqual(['notebooks.example.com']);
    expect(dist.ViewerCertificate).toMatchObject({ AcmCertificateArn: certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
  });
});
