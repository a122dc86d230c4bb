import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { load as loadYaml } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildLambda,
  chunksOf,
  coldStartChunks,
  compileSparkPools,
  LAMBDA_ENTRY_FILE,
  SPARK_POOLS_FILE,
} from '../lib/constructs/bundling.ts';
import { OrreryFunction, REPO_ROOT } from '../lib/constructs/orrery-function.ts';
import { API_ENTRIES } from '../lib/stacks/api-stack.ts';
import { buildApp, stacksOf } from './support-api.ts';

const workdir = mkdtempSync(join(tmpdir(), 'orrery-bundle-test-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

const KUBERNETES = '@kubernetes/client-node';

// Builds one entry exactly as OrreryFunction's asset bundling does, and sorts its packages into what a cold
// start loads (the entry chunk and its static imports) and what only a lazy `import()` loads.
const bundle = (entry: string) => {
  const outdir = join(workdir, entry.split('/').at(-1)!.replace(/\.ts$/, ''));
  mkdirSync(outdir);
  const metafile = buildLambda(join(REPO_ROOT, entry), outdir);
  const chunks = chunksOf(metafile, outdir);
  const cold = new Set(coldStartChunks(chunks));
  const packagesOf = (paths: string[]) => new Set(paths.flatMap((path) => [...chunks.get(path)!.packages]));
  return {
    text: readFileSync(join(outdir, LAMBDA_ENTRY_FILE), 'utf8'),
    exports: Object.entries(metafile.outputs).find(([path]) => path.endsWith(`/${LAMBDA_ENTRY_FILE}`))![1].exports,
    coldStart: packagesOf([...cold]),
    lazy: packagesOf([...chunks.keys()].filter((path) => !cold.has(path))),
    // The source files bundled into the cold start's chunks (metafile paths, relative to the working directory).
    coldStartFiles: Object.entries(metafile.outputs)
      .filter(([path]) => cold.has(relative(outdir, resolve(path))))
      .flatMap(([, output]) => Object.keys(output.inputs)),
  };
};

describe('OrreryFunction bundling', () => {
  it('leaves the Kubernetes and Step Functions clients out of the servers cold start, in chunks loaded on first use', () => {
    // Prepare
    // Act
    const servers = bundle(API_ENTRIES.servers);

    // Assess
    expect(servers.exports).toEqual(['handler']);
    expect(servers.coldStart).not.toContain(KUBERNETES);
    expect(servers.coldStart).not.toContain('undici');
    expect(servers.coldStart).not.toContain('@aws-sdk/client-sfn');
    // The same check finds the clients in a lazy chunk, so it is not passing by looking in the wrong place.
    expect(servers.lazy).toContain(KUBERNETES);
    expect(servers.lazy).toContain('@aws-sdk/client-sfn');
    // The DynamoDB client every route uses stays in the cold start, and nothing of S3 is bundled at all.
    expect(servers.coldStart).toContain('@aws-sdk/client-dynamodb');
    expect([...servers.coldStart, ...servers.lazy]).not.toContain('@aws-sdk/client-s3');
    // The renderer's chunk ships only with the functions that render.
    expect(servers.lazy).not.toContain('sanitize-html');
  }, 120_000);

  it('bundles a route group as ESM with its handler exported and no Kubernetes or Step Functions code at all', () => {
    // Prepare
    // Act
    const notebooks = bundle(API_ENTRIES.notebooks);

    // Assess
    expect(notebooks.exports).toEqual(['handler']);
    expect(notebooks.text).not.toMatch(/\bmodule\.exports\b/);
    expect(notebooks.text).toContain('createRequire(import.meta.url)');
    for (const packages of [notebooks.coldStart, notebooks.lazy]) {
      expect(packages).not.toContain(KUBERNETES);
      expect(packages).not.toContain('@aws-sdk/client-sfn');
    }
    // S3 loads with the first route that touches a body or a rendered page; lists and record reads never load it.
    expect(notebooks.coldStart).not.toContain('@aws-sdk/client-s3');
    expect(notebooks.lazy).toContain('@aws-sdk/client-s3');
    // The notebook renderer loads on the first render only, not at cold start.
    expect(notebooks.coldStart).not.toContain('sanitize-html');
    expect(notebooks.lazy).toContain('sanitize-html');
  }, 120_000);

  it('loads the Glue client in the credentials function on the first tables listing only, and never SQLite', () => {
    // Prepare
    // Act
    const credentials = bundle(API_ENTRIES.credentials);

    // Assess: listing roles or issuing keys never pays for Glue; the local SQLite catalog (sql.js) is not deployed.
    expect(credentials.coldStart).not.toContain('@aws-sdk/client-glue');
    expect(credentials.lazy).toContain('@aws-sdk/client-glue');
    expect([...credentials.coldStart, ...credentials.lazy]).not.toContain('sql.js');
  }, 120_000);

  it('loads no Secrets Manager client and only the part of zod it uses at any cold start', () => {
    // Prepare
    const entries = [API_ENTRIES.system, API_ENTRIES.admin];

    // Act
    const builds = entries.map(bundle);

    // Assess: the client loads on the first secret read (the functions given a secret), never at import; a
    // named import of zod's namespace (`import { z }`) anywhere brings all of it: every locale, not the English one
    // alone.
    for (const build of builds) {
      expect(build.coldStart).not.toContain('@aws-sdk/client-secrets-manager');
      expect(build.lazy).toContain('@aws-sdk/client-secrets-manager');
      expect(build.coldStart).toContain('zod');
      const locales = build.coldStartFiles.filter((file) => file.includes('node_modules/zod/v4/locales/'));
      expect(locales).toEqual(['node_modules/zod/v4/locales/en.js']);
    }
  }, 120_000);

  it('deploys what the shared build writes for each entry, with the profile registry, as a Node 24 arm64 function traced and logging JSON', () => {
    // Prepare
    const outdir = join(workdir, 'cdk.out');
    const stack = new Stack(new App({ outdir }), 'Bundled');
    const profilesFile = 'config/profiles.example.yaml';
    const sparkPoolsFile = 'config/spark-pools.example.yaml';

    // Act
    const system = new OrreryFunction(stack, 'System', {
      entry: API_ENTRIES.system,
      description: 'system',
      environment: {},
      profilesFile,
    });
    const admin = new OrreryFunction(stack, 'Admin', {
      entry: API_ENTRIES.admin,
      description: 'admin',
      environment: {},
      profilesFile,
      sparkPoolsFile,
    });
    const template = Template.fromStack(stack);

    // Assess
    const propsOf = (fn: OrreryFunction) =>
      template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)].Properties;
    const keys = [system, admin].map((fn) => propsOf(fn).Code.S3Key as string);
    // Each entry gets its own bundle (CDK's asset cache would hand the first one to both if their options looked
    // alike).
    expect(new Set(keys).size).toBe(2);
    for (const fn of [system, admin]) {
      const props = propsOf(fn);
      expect(props).toMatchObject({
        Handler: 'index.handler',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      expect(props.Environment.Variables.ORRERY_PROFILES_FILE).toBe('/var/task/profiles.json');
      const asset = join(outdir, `asset.${(props.Code.S3Key as string).replace(/\.zip$/, '')}`);
      expect(existsSync(join(asset, LAMBDA_ENTRY_FILE)), asset).toBe(true);
      // The registry compiled to JSON, the only form the Lambdas read: the same entries as the YAML.
      expect(JSON.parse(readFileSync(join(asset, 'profiles.json'), 'utf8'))).toEqual(
        loadYaml(readFileSync(join(REPO_ROOT, profilesFile), 'utf8')),
      );
      expect(readdirSync(join(asset, 'chunks')).every((file) => file.endsWith('.mjs'))).toBe(true);
      // The Spark pools file likewise, for the function given one; without it the functions use the default pools.
      const sparkPools = join(asset, SPARK_POOLS_FILE);
      if (fn === admin) {
        expect(props.Environment.Variables.ORRERY_SPARK_POOLS_FILE).toBe(`/var/task/${SPARK_POOLS_FILE}`);
        expect(JSON.parse(readFileSync(sparkPools, 'utf8'))).toEqual(
          loadYaml(readFileSync(join(REPO_ROOT, sparkPoolsFile), 'utf8')),
        );
      } else {
        expect(props.Environment.Variables.ORRERY_SPARK_POOLS_FILE).toBeUndefined();
        expect(existsSync(sparkPools)).toBe(false);
      }
    }
  }, 180_000);

  it('names the Spark pools file when it is not YAML or JSON', () => {
    // Prepare
    const file = join(workdir, 'pools.yaml');
    writeFileSync(file, 'pools: [batch\n');

    // Act
    const act = () => compileSparkPools(file);

    // Assess
    expect(act).toThrow(`sparkPoolsFile ${file} is not YAML or JSON: `);
  });
});

describe('OrreryFunction logs', () => {
  it('gives every function of the app no managed policy and write access to its own log group only', () => {
    // Prepare
    const { stacks } = buildApp();
    const checked: string[] = [];

    // Act
    for (const stack of stacksOf(stacks)) {
      const template = Template.fromStack(stack).toJSON() as {
        Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
      };
      const policies = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy');
      for (const fn of stack.node.findAll().filter((c): c is OrreryFunction => c instanceof OrreryFunction)) {
        const props = template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)]!.Properties;
        const roleId = props.Role['Fn::GetAtt'][0] as string;
        const statements = policies
          .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
          .flatMap((p) => p.Properties.PolicyDocument.Statement);
        const logs = statements.filter((s: { Action: string | string[] }) =>
          [s.Action].flat().some((a) => a.startsWith('logs:')),
        );

        // Assess
        expect(template.Resources[roleId]!.Properties.ManagedPolicyArns, fn.node.path).toBeUndefined();
        expect(logs, fn.node.path).toEqual([
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [props.LoggingConfig.LogGroup.Ref, 'Arn'] },
          },
        ]);
        checked.push(fn.node.path);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(10);
  }, 180_000);
});
