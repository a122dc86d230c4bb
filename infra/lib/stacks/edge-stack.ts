import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';

/** The only region a web ACL for CloudFront (scope CLOUDFRONT) can be made in. */
export const EDGE_REGION = 'us-east-1';

// The API's error shape, so the portal shows the message as it shows the API's own 429s.
const RATE_LIMITED_BODY = JSON.stringify({
  error: 'rate_limited',
  message: 'too many requests from your address; wait a few minutes and try again',
});

/** What the edge stack needs. */
export interface EdgeStackProps extends StackProps {
  config: InfraConfig;
}

/**
 * The portal distribution's web ACL, in us-east-1 whatever the platform's region (the web stack reads its ARN by a
 * cross-region reference). One rate-based rule: an address that sends more than `waf.rateLimit` requests to
 * /api/* in 5 minutes is answered 429 until its rate falls, before CloudFront forwards anything to the API. No
 * managed rule groups: their body-size and content rules would refuse notebooks committed inline.
 */
export class EdgeStack extends Stack {
  /** The web ACL's ARN, for the distribution's `WebACLId`. */
  readonly webAclArn: string;
  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const acl = new CfnWebACL(this, 'PortalWebAcl', {
      name: `${config.name}-portal`,
      description: `${config.name}: a rate limit per client address on /api/ requests to the portal`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${config.name}-portal`),
      customResponseBodies: { 'rate-limited': { contentType: 'APPLICATION_JSON', content: RATE_LIMITED_BODY } },
      rules: [
        {
          name: 'api-rate-per-address',
          priority: 0,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rate-limited' } } },
          statement: {
            rateBasedStatement: {
              limit: config.waf.rateLimit,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              // The API is what a flood costs (Lambda time, the stage's throttle); static files are CloudFront's cache.
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'STARTS_WITH',
                  searchString: '/api/',
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility(`${config.name}-api-rate-per-address`),
        },
      ],
    });
    this.webAclArn = acl.attrArn;
  }
}
