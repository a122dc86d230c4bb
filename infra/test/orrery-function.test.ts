import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaEsbuildOptions } from '../lib/constructs/bundling.ts';
import { OrreryFunction, REPO_ROOT } from '../lib/constructs/orrery-function.ts';
import { API_ENTRIES } from '../lib/stacks/api-stack.ts';
import { buildApp } from './support-api.ts';

const outdir = mkdtempSync(join(tmpdir(), 'orrery-bundle-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// Bundles one entry exactly as OrreryFunction does, with a metafile to say which packages went in.
const bundle = async (entry: string) => {
  const outfile = join(outdir, `${entry.split('/').at(-1)!.replace(/\.ts$/, '')}.mjs`);
  const result = await build({ ...lambdaEsbuildOptions(join(REPO_ROOT, entry), outfile), metafile: true });
  const packages = new Set(Object.keys(result.metafile.inputs).flatMap((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? []));
  return { text: readFileSync(outfile, 'utf8'), packages, exports: Object.values(result.metafile.outputs)[0]!.exports };
};

describe('OrreryFunction bundling', () => {
  it('bundles a route group as ESM with its handler exported, leaving the Kubernetes client to the servers group', async () => {
    // Prepare
    // Act
    const [notebooks, servers] = await Promise.all([bundle(API_ENTRIES.notebooks), bundle(API_ENTRIES.servers)]);

    // Assess
    expect(notebooks.exports).toEqual(['handler']);
    expect(notebooks.text).not.toMatch(/\bmodule\.exports\b/);
    expect(notebooks.text).toContain('createRequire(import.meta.url)');
    expect(notebooks.packages).not.toContain('@kubernetes/client-node');
    expect(notebooks.packages).not.toContain('@aws-sdk/client-sfn');
    expect(notebooks.packages).toContain('@aws-sdk/client-s3');
    // The same check finds the client where it belongs, so it is not passing by looking in the wrong place.
    expect(servers.packages).toContain('@kubernetes/client-node');
  }, 120_000);
});

describe('OrreryFunction logs', () => {
  it('gives every function of the app no managed policy and write access to its own log group only', () => {
    // Prepare
    const { stacks } = buildApp();
    const checked: string[] = [];

    // Act
    for (const stack of Object.values(stacks)) {
      const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
      const policies = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy');
      for (const fn of stack.node.findAll().filter((c): c is OrreryFunction => c instanceof OrreryFunction)) {
        const props = template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)]!.Properties;
        const roleId = props.Role['Fn::GetAtt'][0] as string;
        const statements = policies.filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId)).flatMap((p) => p.Properties.PolicyDocument.Statement);
        const logs = statements.filter((s: { Action: string | string[] }) => [s.Action].flat().some((a) => a.startsWith('logs:')));

        // Assess
        expect(template.Resources[roleId]!.Properties.ManagedPolicyArns, fn.node.path).toBeUndefined();
        expect(logs, fn.node.path).toEqual([{ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [props.LoggingConfig.LogGroup.Ref, 'Arn'] } }]);
        checked.push(fn.node.path);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(10);
  }, 180_000);
});
