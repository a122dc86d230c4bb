import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { type InfraConfig, loadInfraConfig } from '../lib/config.ts';
import { App, type Stack } from 'aws-cdk-lib';
import { buildOrrery, makeApp } from '../lib/app.ts';

/** The example configuration every infra test starts from. */
export const exampleConfig = (): InfraConfig =>
  loadInfraConfig(join(import.meta.dirname, '..', 'orrery.config.example.json'));

/** The example configuration with the company's OIDC issuer instead of a Cognito user pool. */
export const oidcConfig = (): InfraConfig => ({
  ...exampleConfig(),
  identity: {
    kind: 'oidc',
    issuer: 'https://login.example.com/oauth2',
    audience: ['orrery-portal'],
    scope: 'openid email profile',
    claims: { user: 'sub', name: 'name', teams: 'groups', adminGroup: 'platform-admins' },
  },
});

/**
 * A CloudFormation value as readable text: `Fn::Join` joined, `Ref` as `${Ref:Id}`, `Fn::GetAtt` as `${Id.Attr}`,
 * `Fn::ImportValue` as `${Import:name}`; so tests can compare template values with what AWS will see.
 */
export const render = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v['Fn::Join']) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  if (v.Ref) return `\${Ref:${String(v.Ref)}}`;
  if (v['Fn::GetAtt']) return `\${${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  if (v['Fn::ImportValue']) return `\${Import:${render(v['Fn::ImportValue'])}}`;
  return JSON.stringify(value);
};

/** Builds the whole app without bundling into a fresh temporary folder. */
export const buildApp = (config: InfraConfig = exampleConfig()) =>
  makeApp(config, { bundle: false, outdir: mkdtempSync(join(tmpdir(), 'orrery-cdk-')) });

/**
 * The synthesized templates of the data, API, web and API routes stacks. The stacks are built without the cdk-nag
 * plugin so that findings in other stacks cannot hide these assertions; `synthFailure` runs the real app with it.
 */
export const synthDataAndApi = (config: InfraConfig = exampleConfig()) => {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'orrery-cdk-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const stacks = buildOrrery(app, config);
  return {
    data: Template.fromStack(stacks.data),
    api: Template.fromStack(stacks.api),
    web: Template.fromStack(stacks.web),
    routes: Template.fromStack(stacks.apiRoutes),
    stacks,
  };
};

/** The message of a synth that throws (cdk-nag findings), or '' when it passes. */
export const synthFailure = (config: InfraConfig = exampleConfig()): string => {
  try {
    buildApp(config).app.synth();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

/** Every stack the app built (the edge stack only when no web ACL ARN is configured). */
export const stacksOf = (stacks: ReturnType<typeof buildOrrery>): Stack[] =>
  Object.values(stacks).filter((stack): stack is NonNullable<typeof stack> => stack !== undefined);

/** Resources of one type in a template, by logical id. */
export const resourcesOf = (
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown> }> =>
  template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;

/** The cdk-nag findings (and other validation lines) a synth of the whole app reports against one stack. */
export const findingsFor = (failure: string, stackName: string): string[] => {
  const lines = failure.split('\n');
  return lines.flatMap((line, i) =>
    line.includes(`${stackName}/`) || line.trim().startsWith(`${stackName} `)
      ? [`${lines[i - 1]?.trim()} ${line.trim()} ${lines[i + 1]?.trim()}`]
      : [],
  );
};
