import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configurationReference } from '../../functions/src/config/reference.ts';
import type { InfraConfig } from '../lib/config.ts';
import { buildLambda, chunksOf } from '../lib/constructs/bundling.ts';
import { OrreryFunction, REPO_ROOT } from '../lib/constructs/orrery-function.ts';
import { buildApp, exampleConfig, oidcConfig, stacksOf } from './support-api.ts';

type LambdaProperties = { Environment?: { Variables?: Record<string, unknown> } };

// Every Orrery function the app deploys with `config`: its entry and the names of its environment variables.
const deployedFunctions = (config: InfraConfig) => {
  const { stacks } = buildApp(config);
  return stacksOf(stacks).flatMap((stack) => {
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties: LambdaProperties }>;
    return stack.node.findAll().flatMap((c) => {
      if (!(c instanceof OrreryFunction)) return [];
      const id = stack.getLogicalId(c.node.defaultChild as CfnElement);
      const variables = Object.keys(resources[id]!.Properties.Environment?.Variables ?? {});
      return [{ path: c.node.path, entry: c.entry, variables }];
    });
  });
};

// Both identity kinds, with every optional setting that adds a variable: the OIDC admin claim, Slack, the roles, the
// portal's own domain, the Spark pools and links.
const withOidcAdmin = (): InfraConfig => {
  const oidc = oidcConfig();
  if (oidc.identity.kind !== 'oidc') throw new Error('oidcConfig is not OIDC');
  return {
    ...oidc,
    rolesFile: 'config/roles.example.yaml',
    sparkPoolsFile: 'config/spark-pools.example.yaml',
    sparkHistoryUrl: 'https://spark-history.example.com/history/{appId}/jobs/',
    sparkMonitoringUrl: 'https://grafana.example.com/d/spark?var-app={appId}',
    portal: {
      domainName: 'notebooks.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    },
    identity: { ...oidc.identity, claims: { ...oidc.identity.claims, admin: 'roles=Orrery.Admin' } },
  };
};

describe('the environment the deploy gives the functions', () => {
  const reference = new Map(configurationReference().map((e) => [e.name, e]));
  let functions: ReturnType<typeof deployedFunctions>;
  beforeAll(() => {
    functions = [...deployedFunctions(exampleConfig()), ...deployedFunctions(withOidcAdmin())];
  }, 120_000);

  it('holds only variables of the configuration schema, each documented with where the deploy takes it from', () => {
    // Prepare
    const set = new Set(functions.flatMap((f) => f.variables));

    // Act
    const unknown = [...set].filter((name) => !reference.has(name));
    const undocumented = [...set].filter((name) => reference.has(name) && !reference.get(name)!.deploy);
    const notCloud = [...set].filter((name) => reference.has(name) && !reference.get(name)!.modes.includes('cloud'));

    // Assess
    expect(set.size).toBeGreaterThan(15);
    expect(unknown).toEqual([]);
    expect(undocumented).toEqual([]);
    expect(notCloud).toEqual([]);
  });

  it('sets every variable the reference says the deploy sets', () => {
    // Prepare
    const set = new Set(functions.flatMap((f) => f.variables));

    // Act
    // AWS_REGION is the Lambda runtime's own; every other `deploy` entry is in some function's environment.
    const claimed = [...reference.values()].filter((e) => e.deploy && e.name !== 'AWS_REGION').map((e) => e.name);

    // Assess
    expect(claimed.filter((name) => !set.has(name))).toEqual([]);
    expect(set.has('ORRERY_CURSOR_SECRET')).toBe(false);
    expect(set.has('ORRERY_CURSOR_SECRET_ARN')).toBe(true);
  });

  it('gives every function the Spark pools and links when the configuration names them, and none otherwise', () => {
    // Prepare
    const spark = ['ORRERY_SPARK_POOLS_FILE', 'ORRERY_SPARK_HISTORY_URL', 'ORRERY_SPARK_MONITORING_URL'];
    const sparkOf = (config: InfraConfig) =>
      deployedFunctions(config).map((f) => ({ path: f.path, spark: spark.filter((v) => f.variables.includes(v)) }));

    // Act
    const configured = sparkOf(withOidcAdmin());
    const unset = sparkOf(exampleConfig());

    // Assess (the servers function sizes sessions and the culler stops them by age; every function reads the same
    // Spark configuration, as every one reads the same profiles)
    expect(configured.map((f) => f.path)).toEqual(
      expect.arrayContaining([expect.stringMatching(/ServersFunction$/), expect.stringMatching(/CullIdle$/)]),
    );
    for (const f of configured) expect(f.spark, f.path).toEqual(spark);
    for (const f of unset) expect(f.spark, f.path).toEqual([]);
  });
});

describe('the Lambda bundles', () => {
  const workdir = mkdtempSync(join(tmpdir(), 'orrery-no-yaml-'));
  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  it('carry no YAML parser: every deployed entry reads the profile registry as JSON', () => {
    // Prepare
    const entries = [...new Set(deployedFunctions(exampleConfig()).map((f) => f.entry))];

    // Act
    const withYaml = entries.filter((entry) => {
      const outdir = join(workdir, entry.replace(/\W+/g, '-'));
      mkdirSync(outdir);
      const chunks = chunksOf(buildLambda(join(REPO_ROOT, entry), outdir), outdir);
      return [...chunks.values()].some((chunk) => chunk.packages.has('js-yaml'));
    });

    // Assess
    expect(entries.length).toBeGreaterThanOrEqual(8);
    expect(withYaml).toEqual([]);
  }, 300_000);
});
