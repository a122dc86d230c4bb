import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { InfraConfig } from './config.ts';
import { grantCursorSecret, placeInVpc, vpcPlacement } from './function-access.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { ComputeAccessStack } from './stacks/compute-access-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { ObservabilityStack } from './stacks/observability-stack.ts';
import { SchedulesStack } from './stacks/schedules-stack.ts';
import { type CognitoSignIn, WebStack } from './stacks/web-stack.ts';
import { WorkflowsStack } from './stacks/workflows-stack.ts';

/**
 * Orrery's stacks, in dependency order (no cycles): data → api → workflows, schedules → compute access
 * → web (CloudFront serves the portal and forwards /api/* to the API, so the portal needs no CORS and
 * no API URL baked in) → observability. Only the data stack holds state.
 */
export const buildOrrery = (app: App, config: InfraConfig) => {
  const env = config.env;
  const id = (stack: string) => `${config.name}-${stack}`;
  const data = new DataStack(app, id('data'), { env, config, terminationProtection: true });
  const api = new ApiStack(app, id('api'), { env, config, data });
  for (const fn of Object.values(api.functions)) grantCursorSecret(fn, data);
  placeInVpc(api.functions.servers, vpcPlacement(api, config));
  const workflows = new WorkflowsStack(app, id('workflows'), { env, config, data, apiUrl: api.apiUrl });
  const schedules = new SchedulesStack(app, id('schedules'), { env, config, data, apiUrl: api.apiUrl });
  const computeAccess = new ComputeAccessStack(app, id('compute-access'), { env, config, clusterRoles: [...api.clusterRoles, ...workflows.clusterRoles, ...schedules.clusterRoles] });
  // The API stack owns the user pool; it exposes the portal's sign-in as `cognitoSignIn` (infra/README.md, Open).
  const cognito = (api as { cognitoSignIn?: CognitoSignIn }).cognitoSignIn;
  const web = new WebStack(app, id('web'), { env, config, apiDomain: api.apiDomain, cognito });
  const deadLetterQueueNames = [schedules.deadLetterQueue.queueName, schedules.cullDeadLetterQueue.queueName];
  const functionNames = {
    api: Object.values(api.functions).map((fn) => fn.functionName),
    background: [...workflows.functions, schedules.culler].map((fn) => fn.functionName),
  };
  const observability = new ObservabilityStack(app, id('observability'), { env, config, apiId: api.httpApi.apiId, deadLetterQueueNames, functionNames });
  Tags.of(app).add('app', 'orrery');
  return { data, api, workflows, schedules, computeAccess, web, observability };
};

/** The CDK app with cdk-nag's AwsSolutions rules as a validation plugin, run on every synth. */
export const makeApp = (config: InfraConfig, options: { outdir?: string; bundle?: boolean } = {}) => {
  // Tests skip bundling (a placeholder asset); `npm run synth` and deploys bundle with the local esbuild.
  // Strong cross-stack references: a stack cannot drop an export another still imports.
  const context = { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}) };
  const app = new App({ outdir: options.outdir, context });
  Validations.of(app).addPlugins(new AwsSolutionsChecks() as never);
  return { app, stacks: buildOrrery(app, config) };
};
