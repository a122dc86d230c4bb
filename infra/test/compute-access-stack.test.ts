import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterGroupKey } from '#functions/contracts';
import { makeApp } from '../lib/app.ts';
import { loadInfraConfig } from '../lib/config.ts';
import { clusterAccessOf, ComputeAccessStack } from '../lib/stacks/compute-access-stack.ts';

const config = loadInfraConfig(join(import.meta.dirname, '..', 'orrery.config.example.json'));
const GROUPS: ClusterGroupKey[] = ['serverApi', 'serverTasks', 'runWorkflow', 'runWorkflow', 'culler'];

describe('ComputeAccessStack', () => {
  let stack: ComputeAccessStack;
  let template: Template;
  beforeAll(() => {
    const app = new App();
    const roles = new Stack(app, 'roles', { env: config.env });
    const clusterAccess = GROUPS.map((group, i) => ({
      group,
      role: new Role(roles, `R${i}`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
    }));
    stack = new ComputeAccessStack(app, 'compute-access', { env: config.env, config, clusterAccess });
    template = Template.fromStack(stack);
  });

  it('puts every cluster role in its function group’s Kubernetes group, keeping each entry’s logical id by position', () => {
    // Act
    const entries = template.findResources('AWS::EKS::AccessEntry');
    // Assess
    expect(Object.keys(entries).sort()).toEqual([
      'AccessEntry0',
      'AccessEntry1',
      'AccessEntry2',
      'AccessEntry3',
      'AccessEntry4',
    ]);
    expect(GROUPS.map((_, i) => entries[`AccessEntry${i}`]!.Properties.KubernetesGroups)).toEqual([
      ['orrery:server-api'],
      ['orrery:server-tasks'],
      ['orrery:run-workflow'],
      ['orrery:run-workflow'],
      ['orrery:culler'],
    ]);
    template.allResourcesProperties('AWS::EKS::AccessEntry', {
      ClusterName: 'data-platform',
      Type: 'STANDARD',
      AccessPolicies: Match.absent(),
    });
  });

  it('grants no EKS access policy, AmazonEKSEditPolicy least of all: the Roles in infra/k8s decide', () => {
    // Act
    const text = JSON.stringify(template.toJSON());
    // Assess
    expect(text).not.toContain('AmazonEKSEditPolicy');
    expect(text).not.toContain('cluster-access-policy');
  });

  it('binds only the runner service account with Pod Identity, so nothing shadows the server pods’ credentials sidecar', () => {
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 1);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ClusterName: 'data-platform',
      Namespace: 'orrery-runs',
      ServiceAccount: 'orrery-runner',
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RunnerRole'), 'Arn'] },
    });
  });

  it('lets only the Pod Identity agent assume the pod roles, with session tags, and grants the runner’s nothing', () => {
    template.allResourcesProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          },
        ],
        Version: '2012-10-17',
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const roles = template.findResources('AWS::IAM::Role');
    const runner = Object.entries(roles).find(([id]) => id.startsWith('RunnerRole'))![1];
    expect(runner.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('installs the EBS CSI driver add-on for server homes, its controller on a role with only the driver’s policy', () => {
    // Act
    const roles = template.findResources('AWS::IAM::Role');
    const [driverRoleId, driverRole] = Object.entries(roles).find(([id]) => id.startsWith('EbsCsiDriverRole'))!;
    // Assess
    template.resourceCountIs('AWS::EKS::Addon', 1);
    template.hasResourceProperties('AWS::EKS::Addon', {
      ClusterName: 'data-platform',
      AddonName: 'aws-ebs-csi-driver',
      PodIdentityAssociations: [
        { ServiceAccount: 'ebs-csi-controller-sa', RoleArn: { 'Fn::GetAtt': [driverRoleId, 'Arn'] } },
      ],
    });
    expect(driverRole.Properties.ManagedPolicyArns).toEqual([
      {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy']],
      },
    ]);
    expect(
      Object.keys(roles)
        .sort()
        .map((id) => id.replace(/[0-9A-F]{8}$/, '')),
    ).toEqual(['EbsCsiDriverRole', 'RunnerRole']);
  });

  it('leaves the EBS CSI driver alone when the configuration says the cluster already runs it', () => {
    // Prepare
    const app = new App();
    const own = { ...config, eks: { ...config.eks, ebsCsiDriverAddon: false } };
    // Act
    const stack = new ComputeAccessStack(app, 'no-driver', { env: config.env, config: own, clusterAccess: [] });
    // Assess
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EKS::Addon', 0);
    t.resourceCountIs('AWS::IAM::Role', 1);
  });

  it('passes cdk-nag AwsSolutions', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('clusterAccessOf', () => {
  it('gives each role that calls the Kubernetes API in the app its function group, in the stacks’ order', () => {
    // Prepare
    const { stacks } = makeApp(config, { bundle: false });
    const { api, workflows, schedules } = stacks;
    // Act
    const access = clusterAccessOf(api, workflows, schedules);
    // Assess
    expect(access.map((a) => [a.role.node.path, a.group])).toEqual([
      [api.functions.servers.role!.node.path, 'serverApi'],
      [workflows.node.findChild('ServerTasks').node.findChild('ServiceRole').node.path, 'serverTasks'],
      [workflows.stateMachines.run!.role.node.path, 'runWorkflow'],
      [workflows.stateMachines.stopRun!.role.node.path, 'runWorkflow'],
      [schedules.culler.role!.node.path, 'culler'],
    ]);
  });

  it('stops synth when a role calls the Kubernetes API without a function group', () => {
    // Prepare
    const { stacks } = makeApp(config, { bundle: false });
    const stray = new Role(stacks.workflows, 'Stray', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    stacks.workflows.clusterRoles.push(stray);
    // Act
    const map = () => clusterAccessOf(stacks.api, stacks.workflows, stacks.schedules);
    // Assess
    expect(map).toThrow(/Stray calls the Kubernetes API but has no function group/);
  });
});
