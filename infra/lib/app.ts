import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { InfraConfig } from './config.ts';
import { ApiRoutesStack, type JwtTrust } from './stacks/api-routes-stack.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { ComputeAccessStack, clusterAccessOf } from './stacks/compute-access-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { EDGE_REGION, EdgeStack } from './stacks/edge-stack.ts';
import { ObservabilityStack } from './stacks/observability-stack.ts';
import { SchedulesStack } from './stacks/schedules-stack.ts';
import { WebStack } from './stacks/web-stack.ts';
import { WorkflowsStack } from './stacks/workflows-stack.ts';
import { createRequire } from 'node:module';

// A new app takes every feature flag at the value aws-cdk-lib recommends (what `cdk init` writes into cdk.json),
// so behaviour is today's and the CLI has no unconfigured flags to report; tests and synth share the one list.
const RECOMMENDED_FLAGS: Record<string, unknown> = createRequire(import.meta.url)(
  'aws-cdk-lib/recommended-feature-flags.json',
);

/**
 * Orrery's stacks, in dependency order (no cycles): data → api → workflows, schedules → compute access → edge
 * (the distribution's web ACL in us-east-1, unless `waf.webAclArn` names one) → web (CloudFront serves the portal
 * and forwards /api/* to the API, so the portal needs no CORS and no API URL baked in; with Cognito it also makes
 * the portal's client, whose callback URL is CloudFront's domain) → api routes (the routes, the JWT authorizer,
 * whose audience is that client, and the stage) → observability. The data stack holds state, and so does the user
 * pool in the API stack (retained, deletion-protected).
 */
export const buildOrrery = (app: App, config: InfraConfig) => {
  const env = config.env;
  const id = (stack: string) => `${config.name}-${stack}`;
  const data = new DataStack(app, id('data'), { env, config, terminationProtection: true });
  const api = new ApiStack(app, id('api'), { env, config, data });
  const workflows = new WorkflowsStack(app, id('workflows'), { env, config, data, apiUrl: api.apiUrl });
  const schedules = new SchedulesStack(app, id('schedules'), { env, config, data, apiUrl: api.apiUrl });
  const computeAccess = new ComputeAccessStack(app, id('compute-access'), {
    env,
    config,
    clusterAccess: clusterAccessOf(api, workflows, schedules),
  });
  // The web ACL lives in us-east-1; from another region the web stack reads its ARN by a cross-region reference.
  const crossRegionReferences = !config.waf.webAclArn && env.region !== EDGE_REGION;
  const edge = config.waf.webAclArn
    ? undefined
    : new EdgeStack(app, id('edge'), {
        env: { account: env.account, region: EDGE_REGION },
        config,
        crossRegionReferences,
      });
  const webAclArn = config.waf.webAclArn ?? edge!.webAclArn;
  const web = new WebStack(app, id('web'), {
    env,
    config,
    apiDomain: api.apiDomain,
    notebookBucketName: data.bucket.bucketName,
    cognito: api.cognito,
    webAclArn,
    crossRegionReferences,
  });
  const apiRoutes = new ApiRoutesStack(app, id('api-routes'), { env, config, api, jwt: jwtTrust(config, api, web) });
  const deadLetterQueueNames = [schedules.deadLetterQueue.queueName, schedules.cullDeadLetterQueue.queueName];
  const functionNames = {
    api: Object.values(api.functions).map((fn) => fn.functionName),
    background: [...workflows.functions, schedules.culler, schedules.fire].map((fn) => fn.functionName),
  };
  const observability = new ObservabilityStack(app, id('observability'), {
    env,
    config,
    apiId: api.httpApi.apiId,
    deadLetterQueueNames,
    functionNames,
  });
  Tags.of(app).add('app', 'orrery');
  return { data, api, workflows, schedules, computeAccess, edge, web, apiRoutes, observability };
};

/** Whose tokens the API accepts: the user pool's for the portal's client, or the configured issuer's and audiences. */
const jwtTrust = (config: InfraConfig, api: ApiStack, web: WebStack): JwtTrust => {
  if (config.identity.kind === 'oidc') return { issuer: config.identity.issuer, audience: config.identity.audience };
  if (!api.cognito || !web.portalClient)
    throw new Error('a Cognito identity needs the user pool and the portal client');
  return { issuer: api.cognito.issuer, audience: [web.portalClient.userPoolClientId] };
};

/** The CDK app with cdk-nag's AwsSolutions rules as a validation plugin, run on every synth. */
export const makeApp = (config: InfraConfig, options: { outdir?: string; bundle?: boolean } = {}) => {
  // Tests skip bundling (a placeholder asset); `npm run synth` and deploys bundle with the local esbuild.
  // Strong cross-stack references: a stack cannot drop an export another still imports.
  const context = {
    ...RECOMMENDED_FLAGS,
    '@aws-cdk/core:defaultCrossStackReferences': 'strong',
    ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
  };
  const app = new App({ outdir: options.outdir, context });
  Validations.of(app).addPlugins(new AwsSolutionsChecks() as never);
  return { app, stacks: buildOrrery(app, config) };
};
