import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { makeApp } from '../lib/app.ts';
import { loadInfraConfig, InfraConfigSchema } from '../lib/config.ts';

const EXAMPLE = join(import.meta.dirname, '..', 'orrery.config.example.json');
const synthesized = () => {
  const { app, stacks } = makeApp(loadInfraConfig(EXAMPLE), { bundle: false, outdir: mkdtempSync(join(tmpdir(), 'orrery-cdk-')) });
  const assembly = app.synth();
  return { assembly, stacks };
};

type Statement = { Action?: string | string[]; Resource?: unknown };

describe('the CDK app', () => {
  it('synthesizes every stack offline with cdk-nag’s AwsSolutions rules and no unsuppressed error', () => {
    // Act (cdk-nag runs as a validation plugin: synth throws on an error)
    const { assembly } = synthesized();
    // Assess
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['orrery-api', 'orrery-compute-access', 'orrery-data', 'orrery-observability', 'orrery-schedules', 'orrery-web', 'orrery-workflows']);
  });

  it('grants no action on every resource anywhere: no "*" action, and no service-wide wildcard on "*"', () => {
    // Prepare
    const { stacks } = synthesized();
    // Act
    const offending = Object.values(stacks).flatMap((stack) =>
      Object.values(Template.fromStack(stack as Stack).findResources('AWS::IAM::Policy')).flatMap((policy) =>
        ((policy.Properties.PolicyDocument.Statement ?? []) as Statement[])
          .filter((s) => [s.Action].flat().some((a) => a === '*' || (typeof a === 'string' && a.endsWith(':*') && s.Resource === '*')))
          .map((s) => `${stack.stackName}: ${JSON.stringify(s)}`),
      ),
    );
    // Assess
    expect(offending).toEqual([]);
  });

  it('refuses a configuration with a bad field, naming the field', () => {
    // Act
    const parsed = InfraConfigSchema.safeParse({ ...JSON.parse(JSON.stringify(loadInfraConfig(EXAMPLE))), env: { account: '42', region: 'eu-west-1' } });
    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['env', 'account']);
  });

  it('keeps state only in the data stack, protected from deletion', () => {
    // Prepare
    const { stacks } = synthesized();
    // Act
    const stateful = Object.values(stacks).filter((s) => Object.keys(Template.fromStack(s as Stack).findResources('AWS::DynamoDB::Table')).length > 0);
    // Assess
    expect(stateful.map((s) => s.stackName)).toEqual(['orrery-data']);
    expect(stacks.data.terminationProtection).toBe(true);
  });
});
