import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InfraConfigSchema, type InfraConfig } from '../lib/config.ts';
import { EdgeStack } from '../lib/stacks/edge-stack.ts';
import example from '../orrery.config.example.json' with { type: 'json' };
import { buildApp, findingsFor, synthFailure } from './support-api.ts';

const ACL_ARN = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/company/0123abcd-0000-0000-0000-000000000000';
const config = (waf: Partial<InfraConfig['waf']> = {}): InfraConfig => InfraConfigSchema.parse({ ...example, waf });

type RateRule = {
  Name: string;
  Action: unknown;
  Statement: {
    RateBasedStatement: {
      Limit: number;
      EvaluationWindowSec: number;
      AggregateKeyType: string;
      ScopeDownStatement: unknown;
    };
  };
};

/** The web ACL an edge stack of its own makes. */
const webAclOf = (c: InfraConfig) => {
  const stack = new EdgeStack(new App(), 'edge', { env: { account: c.env.account, region: 'us-east-1' }, config: c });
  const acls = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL'));
  expect(acls).toHaveLength(1);
  return acls[0]!.Properties as {
    Scope: string;
    DefaultAction: unknown;
    Rules: RateRule[];
    CustomResponseBodies: Record<string, { Content: string }>;
  };
};

/** The distribution's WebACLId in the web stack of the whole app. */
const distributionAcl = (c: InfraConfig): { stacks: ReturnType<typeof buildApp>['stacks']; webAclId: unknown } => {
  const { stacks } = buildApp(c);
  const distribution = Object.values(Template.fromStack(stacks.web).findResources('AWS::CloudFront::Distribution'))[0]!;
  return { stacks, webAclId: distribution.Properties.DistributionConfig.WebACLId };
};

describe('the edge stack', () => {
  it('makes a CloudFront-scope web ACL whose rate-based rule answers 429 to an address past its limit on /api/*', () => {
    // Prepare
    const c = config();

    // Act
    const acl = webAclOf(c);

    // Assess
    expect(acl.Scope).toBe('CLOUDFRONT');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    expect(acl.Rules).toHaveLength(1);
    const [rule] = acl.Rules;
    expect(rule!.Statement.RateBasedStatement).toEqual({
      Limit: 6000,
      EvaluationWindowSec: 300,
      AggregateKeyType: 'IP',
      ScopeDownStatement: {
        ByteMatchStatement: {
          FieldToMatch: { UriPath: {} },
          PositionalConstraint: 'STARTS_WITH',
          SearchString: '/api/',
          TextTransformations: [{ Priority: 0, Type: 'NONE' }],
        },
      },
    });
    expect(rule!.Action).toEqual({
      Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'rate-limited' } },
    });
    expect(JSON.parse(acl.CustomResponseBodies['rate-limited']!.Content)).toMatchObject({ error: 'rate_limited' });
  });

  it('takes the per-address limit from the config', () => {
    // Prepare
    const c = config({ rateLimit: 500 });

    // Act
    const acl = webAclOf(c);

    // Assess
    expect(acl.Rules[0]!.Statement.RateBasedStatement.Limit).toBe(500);
  });

  it('puts the web ACL on the distribution: made in us-east-1 and read across regions by the web stack', () => {
    // Prepare
    const c = config();

    // Act
    const { stacks, webAclId } = distributionAcl(c);

    // Assess
    expect(stacks.edge?.region).toBe('us-east-1');
    expect(stacks.web.dependencies.map((d) => d.stackName)).toContain('orrery-edge');
    expect((webAclId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][1]).toMatch(
      /^\/cdk\/exports\/orrery-web\/orreryedgeuseast1FnGetAttPortalWebAclArn/,
    );
  });

  it('refers to the edge stack’s ARN directly when the platform itself is in us-east-1', () => {
    // Prepare
    const c = { ...config(), env: { account: '123456789012', region: 'us-east-1' } };

    // Act
    const { webAclId } = distributionAcl(c);

    // Assess
    expect(JSON.stringify(webAclId)).toMatch(/^\{"Fn::ImportValue":"orrery-edge:ExportsOutputFnGetAttPortalWebAclArn/);
  });

  it('makes no edge stack and attaches the company’s web ACL when the config names one', () => {
    // Prepare
    const c = config({ webAclArn: ACL_ARN });

    // Act
    const { stacks, webAclId } = distributionAcl(c);

    // Assess
    expect(stacks.edge).toBeUndefined();
    expect(webAclId).toBe(ACL_ARN);
  });

  it('refuses a web ACL ARN outside us-east-1, naming the field', () => {
    // Act
    const parsed = InfraConfigSchema.safeParse({
      ...example,
      waf: { webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y' },
    });

    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['waf', 'webAclArn']);
  });

  it('leaves cdk-nag nothing unacknowledged in the edge and web stacks, with or without a configured web ACL', () => {
    // Prepare
    // Act
    const made = synthFailure(config());
    const given = synthFailure(config({ webAclArn: ACL_ARN }));

    // Assess
    expect([
      ...findingsFor(made, 'orrery-edge'),
      ...findingsFor(made, 'orrery-web'),
      ...findingsFor(given, 'orrery-web'),
    ]).toEqual([]);
    expect(made).toBe('');
    expect(given).toBe('');
  });
});
