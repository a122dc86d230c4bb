import { describe, expect, it } from 'vitest';
import { sessionTagsFor } from '../../functions/src/domain/credentials.ts';
import {
  brokerRoleArn,
  brokerRoleName,
  partitionOf,
  REQUIRED_SESSION_TAGS,
  registryRoleArns,
  registryRoles,
  SESSION_TAG_KEYS,
  trustPolicyFor,
} from '../lib/credential-roles.ts';
import { exampleConfig } from './support-api.ts';

const BROKER = 'arn:aws:iam::123456789012:role/orrery-credentials-broker-eu-west-1';

describe('the trust policy of a target role', () => {
  it('trusts the broker for each action in a statement of its own, testing only the keys that action is given', () => {
    // Act
    const policy = trustPolicyFor(BROKER);

    // Assess
    const principal = { AWS: BROKER };
    const named = { StringLike: { 'sts:SourceIdentity': '??*' } };
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OrreryBrokerAssumes',
          Effect: 'Allow',
          Principal: principal,
          Action: 'sts:AssumeRole',
          Condition: named,
        },
        {
          Sid: 'OrreryBrokerNamesTheUser',
          Effect: 'Allow',
          Principal: principal,
          Action: 'sts:SetSourceIdentity',
          Condition: named,
        },
        {
          Sid: 'OrreryBrokerTagsTheSession',
          Effect: 'Allow',
          Principal: principal,
          Action: 'sts:TagSession',
          Condition: {
            'ForAllValues:StringEquals': {
              'aws:TagKeys': ['orrery:user', 'orrery:team', 'orrery:purpose', 'orrery:server', 'orrery:run'],
            },
            StringLike: { 'aws:RequestTag/orrery:user': '?*', 'aws:RequestTag/orrery:purpose': '?*' },
          },
        },
      ],
    });
  });

  it('admits exactly the tag keys the functions set, and requires the ones every session carries', () => {
    // Prepare
    const fullest = sessionTagsFor({ user: 'alice', team: 'ads', purpose: 'server', serverId: 's-1', runId: 'r-1' });
    const barest = sessionTagsFor({ user: 'alice', team: null, purpose: 'interactive' });

    // Act
    const admitted = [...SESSION_TAG_KEYS].sort();

    // Assess
    expect(admitted).toEqual(Object.keys(fullest).sort());
    expect([...REQUIRED_SESSION_TAGS].sort()).toEqual(Object.keys(barest).sort());
  });

  it('names the broker role from the configuration, so its ARN is known offline and per region', () => {
    // Prepare
    const config = exampleConfig();

    // Act
    const arns = [
      brokerRoleArn(config),
      brokerRoleArn({ ...config, env: { account: '123456789012', region: 'cn-north-1' } }),
      brokerRoleArn({ ...config, name: 'lab', env: { account: '210987654321', region: 'us-gov-west-1' } }),
    ];

    // Assess
    expect(arns).toEqual([
      BROKER,
      'arn:aws-cn:iam::123456789012:role/orrery-credentials-broker-cn-north-1',
      'arn:aws-us-gov:iam::210987654321:role/lab-credentials-broker-us-gov-west-1',
    ]);
    expect(partitionOf('eu-west-1')).toBe('aws');
    // The longest prefix and region still fit IAM's 64 characters for a role name.
    expect(
      brokerRoleName({ name: 'a'.repeat(21), env: { account: '1', region: 'ap-southeast-22' } }).length,
    ).toBeLessThan(64);
  });

  it("reads the registry's names, ARNs and maxima from rolesFile, and nothing without one", () => {
    // Act
    const roles = registryRoles({ rolesFile: 'config/roles.example.yaml' });

    // Assess
    expect(roles.map((r) => r.name)).toEqual(['ads-analyst', 'risk-prod-readonly', 'sandbox']);
    expect(roles.at(-1)).toEqual({
      name: 'sandbox',
      roleArn: 'arn:aws:iam::123456789012:role/orrery/sandbox',
      maxSessionSeconds: 43_200,
    });
    expect(registryRoleArns({ rolesFile: undefined })).toEqual([]);
  });
});
