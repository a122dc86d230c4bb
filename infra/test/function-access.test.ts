import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { type InfraConfig, loadInfraConfig } from '../lib/config.ts';
import type { DataStack } from '../lib/stacks/data-stack.ts';
import { SchedulesStack } from '../lib/stacks/schedules-stack.ts';
import { buildApp } from './support-api.ts';
import { WorkflowsStack } from '../lib/stacks/workflows-stack.ts';

const example = loadInfraConfig(join(import.meta.dirname, '..', 'orrery.config.example.json'));
const VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
};

type Statement = { Action: string | string[]; Resource: unknown };
type Fn = {
  Properties: {
    Handler: string;
    Environment: { Variables: Record<string, unknown> };
    VpcConfig?: { SubnetIds: string[]; SecurityGroupIds: unknown[] };
  };
};

/** The workflows and schedules stacks over a stand-in data stack, synthesized. */
const synth = (config: InfraConfig) => {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:defaultCrossStackReferences': 'strong' },
  });
  const stack = new Stack(app, 'data', { env: config.env });
  const data = {
    table: new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
    bucket: new Bucket(stack, 'Bucket'),
    cursorSecret: new Secret(stack, 'CursorSecret'),
  } as unknown as DataStack;
  const props = { env: config.env, config, data, apiUrl: 'https://api.example.com/api' };
  const workflows = new WorkflowsStack(app, 'workflows', props);
  const schedules = new SchedulesStack(app, 'schedules', props);
  return { workflows, schedules, templates: [Template.fromStack(workflows), Template.fromStack(schedules)] as const };
};
const functionsOf = (template: Template) => Object.values(template.findResources('AWS::Lambda::Function')) as Fn[];
const statementsOf = (template: Template) =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as Statement[]).map((s) => ({
      ...s,
      roles: JSON.stringify(p.Properties.Roles),
    })),
  );

describe('secrets in the function configuration', () => {
  it('gives no task function and not the culler the cursor secret: neither its ARN nor a read of it (none serves a list)', () => {
    // Prepare
    const { templates } = synth(example);

    // Act
    const functions = templates.flatMap(functionsOf);
    const reads = templates.flatMap(statementsOf).filter((s) => JSON.stringify(s.Resource).includes('CursorSecret'));

    // Assess
    expect(functions).toHaveLength(6);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables.ORRERY_CURSOR_SECRET).toBeUndefined();
      expect(fn.Properties.Environment.Variables.ORRERY_CURSOR_SECRET_ARN).toBeUndefined();
      expect(JSON.stringify(fn.Properties.Environment.Variables)).not.toContain('resolve:secretsmanager');
    }
    expect(reads).toEqual([]);
  });

  it("lets only the culler, the fire function and the run's Finalize read the configured Slack webhook secret", () => {
    // Prepare
    const { templates } = synth(example);
    const [workflows, schedules] = templates;

    // Act
    const slack = (t: Template) => statementsOf(t).filter((s) => JSON.stringify(s.Resource).includes('slack-webhook'));

    // Assess
    expect(slack(workflows).map((s) => s.roles)).toEqual([expect.stringContaining('FinalizeRunServiceRole')]);
    expect(slack(schedules).map((s) => s.roles)).toEqual([
      expect.stringContaining('CullIdleServiceRole'),
      expect.stringContaining('FireScheduleServiceRole'),
    ]);
    for (const statement of slack(schedules)) {
      expect(JSON.stringify(statement.Resource)).toContain(':secret:orrery/slack-webhook-??????');
      expect(statement.Action).toBe('secretsmanager:GetSecretValue');
    }
    expect(
      functionsOf(workflows)
        .map((f) => f.Properties.Environment.Variables.ORRERY_SLACK_WEBHOOK_SECRET_NAME)
        .filter(Boolean),
    ).toEqual(['orrery/slack-webhook']);
  });

  it('leaves the Slack secret out entirely when none is configured', () => {
    // Act
    const { templates } = synth({ ...example, slackWebhookSecretName: undefined });

    // Assess
    expect(JSON.stringify(templates[1].toJSON())).not.toContain('SLACK');
    expect(statementsOf(templates[1]).filter((s) => JSON.stringify(s.Resource).includes(':secret:'))).toHaveLength(0);
  });
});

describe('VPC placement of the Kubernetes clients', () => {
  it('places no function in a VPC when none is configured', () => {
    // Act
    const { templates } = synth({ ...example, vpc: undefined });

    // Assess
    for (const t of templates) {
      expect(functionsOf(t).filter((f) => f.Properties.VpcConfig)).toEqual([]);
      t.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    }
  });

  it('places the server task and the culler in the private subnets with an HTTPS-only egress group, the run tasks outside', () => {
    // Act
    const { templates, workflows, schedules } = synth({ ...example, vpc: VPC });

    // Assess
    const placed = templates.flatMap((t) => functionsOf(t).filter((f) => f.Properties.VpcConfig));
    expect(placed.map((f) => f.Properties.Handler).sort()).toEqual(['index.handler', 'index.handler']);
    for (const f of placed) expect(f.Properties.VpcConfig!.SubnetIds).toEqual(VPC.privateSubnetIds);
    expect(
      functionsOf(templates[0])
        .filter((f) => !f.Properties.VpcConfig)
        .map((f) => f.Properties.Handler)
        .sort(),
    ).toEqual(['index.finalize', 'index.markStarted', 'index.prepare']);
    for (const t of templates) {
      t.resourceCountIs('AWS::EC2::SecurityGroup', 1);
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        VpcId: VPC.vpcId,
        SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })],
        SecurityGroupIngress: Match.absent(),
      });
      const eni = statementsOf(t).filter((s) => [s.Action].flat().includes('ec2:CreateNetworkInterface'));
      expect(eni).toHaveLength(1);
    }
    for (const stack of [workflows, schedules]) {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(
        report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
      ).toEqual([]);
    }
  });

  it('synthesizes the whole app in VPC mode offline: no context lookup, the servers route group placed once', () => {
    // Prepare
    const { app, stacks } = buildApp({ ...example, vpc: VPC });

    // Act
    const assembly = app.synth();
    const api = Template.fromStack(stacks.api);

    // Assess
    // A missing context value is what `cdk synth` would try to look up in the account (and fail without credentials).
    expect(assembly.manifest.missing ?? []).toEqual([]);
    expect(
      functionsOf(api)
        .filter((f) => f.Properties.VpcConfig)
        .map((f) => f.Properties.Handler),
    ).toEqual(['index.handler']);
    expect(statementsOf(api).filter((s) => [s.Action].flat().includes('ec2:CreateNetworkInterface'))).toHaveLength(1);
  }, 180_000);
});
