import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInfraConfig } from '../lib/config.ts';
import { ComputeAccessStack, EKS_EDIT_POLICY_ARN } from '../lib/stacks/compute-access-stack.ts';

const config = loadInfraConfig(join(import.meta.dirname, '..', 'orrery.config.example.json'));

describe('ComputeAccessStack', () => {
  let stack: ComputeAccessStack;
  let template: Template;
  beforeAll(() => {
    const app = new App();
    const roles = new Stack(app, 'roles', { env: config.env });
    const clusterRoles = ['A', 'B', 'C'].map((id) => new Role(roles, id, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }));
    stack = new ComputeAccessStack(app, 'compute-access', { env: config.env, config, clusterRoles });
    template = Template.fromStack(stack);
  });

  it('gives every cluster role an access entry with the edit policy scoped to the namespace', () => {
    template.resourceCountIs('AWS::EKS::AccessEntry', 3);
    template.allResourcesProperties('AWS::EKS::AccessEntry', {
      ClusterName: 'data-platform',
      Type: 'STANDARD',
      AccessPolicies: [{ PolicyArn: EKS_EDIT_POLICY_ARN, AccessScope: { Type: 'namespace', Namespaces: ['orrery'] } }],
    });
  });

  it('binds the runner and server service accounts with Pod Identity, each to its own role', () => {
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 2);
    for (const [account, role] of [['orrery-runner', 'RunnerRole'], ['orrery-server', 'ServerRole']] as const) {
      template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
        ClusterName: 'data-platform', Namespace: 'orrery', ServiceAccount: account, RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${role}`), 'Arn'] },
      });
    }
  });

  it('lets only the Pod Identity agent assume the pod roles, with session tags, and grants them nothing', () => {
    template.allResourcesProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }], Version: '2012-10-17' },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toContain('ManagedPolicyArns');
  });

  it('passes cdk-nag AwsSolutions', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
