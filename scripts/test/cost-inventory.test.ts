import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type InfraConfig, loadInfraConfig } from '../../infra/lib/config.ts';
import { inventoryOf, invocationsPerMonth } from '../cost/inventory.ts';
import { idleLines, monthLines, totalUsd } from '../cost/lines.ts';
import { DEFAULT_USAGE } from '../cost/model.ts';
import { readWorkflows } from '../cost/transitions.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'infra', 'orrery.config.example.json');
// A company's own web ACL (Firewall Manager, say), which the distribution uses instead of one of Orrery's.
const LEAN_WAF = { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/company/abc', rateLimit: 6000 };

/** Runs `npm run cost -- …args` as npm does (node with tsx, from the root); its output and exit code. */
const cost = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/cost.ts', ...args],
      { cwd: ROOT },
    );
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
};

describe('what the CDK app deploys, as the cost model reads it', () => {
  it('finds the example configuration’s functions, alarms, schedules, ACL, pool and secrets', () => {
    // Act
    const inventory = inventoryOf(loadInfraConfig(EXAMPLE), 2);

    // Assess
    expect(inventory.functions.api).toEqual({ count: 7, memoryMb: 1024, vpcShare: 0 });
    for (const key of ['prepare', 'markStarted', 'finalize', 'serverTasks', 'culler', 'fire'] as const)
      expect(inventory.functions[key]).toEqual({ count: 1, memoryMb: 1024, vpcShare: 0 });
    // Failure rate (2 metrics), Lambda errors of 7 API and 6 background functions, 3 machines, 2 DLQs, the breaker.
    expect(inventory).toMatchObject({ alarms: 7, alarmMetrics: 21, dashboards: 1, kmsKeys: 1, webAclRules: 1 });
    expect(inventory).toMatchObject({ cognitoPlan: 'PLUS', secrets: 2, vpc: false });
    expect(inventory.fixedSchedules).toEqual([
      { name: 'CullSchedule', perMonth: 8760, target: 'culler' },
      { name: 'DigestSchedule', perMonth: 730 / 24, target: 'fire' },
    ]);
    expect(inventory.logRetentionDays).toEqual({ lambda: 30, api: 365, states: 30 });
  });

  it('leaves out the user pool and the web ACL when the company brings its own', () => {
    // Prepare
    const config: InfraConfig = {
      ...loadInfraConfig(EXAMPLE),
      identity: {
        kind: 'oidc',
        issuer: 'https://login.example.com/oauth2',
        audience: ['orrery-portal'],
        scope: 'openid email profile',
        claims: { user: 'sub', name: 'name', teams: 'groups', adminGroup: 'platform-admins' },
      },
      waf: { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/company/abc', rateLimit: 6000 },
    };

    // Act
    const inventory = inventoryOf(config, 2);

    // Assess
    expect(inventory.cognitoPlan).toBeNull();
    expect(inventory.webAclRules).toBeNull();
  });

  it('idles under $5 a month with the organization’s web ACL and no dashboard, the alarms kept', () => {
    // Prepare
    const config: InfraConfig = { ...loadInfraConfig(EXAMPLE), waf: { ...LEAN_WAF }, dashboard: false };

    // Act
    const inventory = inventoryOf(config, 2);
    const idle = idleLines(inventory, readWorkflows(), DEFAULT_USAGE);

    // Assess
    expect(inventory).toMatchObject({ dashboards: 0, webAclRules: null, alarms: 7, alarmMetrics: 21 });
    expect(totalUsd(idle)).toBeLessThan(5);
  });

  it('knows which functions the VPC placement puts in the private subnets', () => {
    // Prepare
    const config: InfraConfig = {
      ...loadInfraConfig(EXAMPLE),
      vpc: { vpcId: 'vpc-0123456789abcdef0', privateSubnetIds: ['subnet-0123456789abcdef0'] },
    };

    // Act
    const inventory = inventoryOf(config, 2);

    // Assess: the servers route group of seven, the launch steps and the culler call the Kubernetes API.
    expect(inventory.vpc).toBe(true);
    expect(inventory.functions.api.vpcShare).toBeCloseTo(1 / 7, 12);
    expect(inventory.functions.serverTasks.vpcShare).toBe(1);
    expect(inventory.functions.culler.vpcShare).toBe(1);
    expect(inventory.functions.prepare.vpcShare).toBe(0);
  });

  it.each([
    ['rate(5 minutes)', 8760],
    ['rate(1 hour)', 730],
    ['cron(0 7 * * ? *)', 730 / 24],
  ])('counts %s as %d invocations a month', (expression, expected) => {
    // Act
    const perMonth = invocationsPerMonth(expression);

    // Assess
    expect(perMonth).toBeCloseTo(expected, 9);
  });

  it('refuses a schedule expression it cannot count', () => {
    // Act
    const act = () => invocationsPerMonth('cron(0 7 ? * MON *)');

    // Assess
    expect(act).toThrow('cannot count the invocations of the schedule expression cron(0 7 ? * MON *)');
  });
});

describe('npm run cost', () => {
  it('prints the own parts, the EKS part, the idle platform and one run, then one JSON line', async () => {
    // Act
    const { stdout, code } = await cost('--config', EXAMPLE, '--users', '50', '--runs-per-day', '200');

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain("Orrery's own parts");
    expect(stdout).toContain("Users' servers and runs on EKS");
    expect(stdout).toMatch(/Idle platform .*: \$\d+\.\d\d a month/);
    expect(stdout).toMatch(/Orchestration per run: \$0\.000\d+ started through the API/);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(summary.usage.users).toBe(50);
    expect(summary.ownMonthlyUsd).toBeGreaterThan(summary.idleMonthlyUsd);
    expect(summary.eksMonthlyUsd).toBeGreaterThan(73);
    expect(summary.targets.perRunUnder0001).toBe(true);
  });

  it('shows the NAT gateways apart when the configuration places functions in a VPC', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'orrery-cost-')), 'orrery.config.json');
    const config = { ...loadInfraConfig(EXAMPLE), vpc: { vpcId: 'vpc-0a', privateSubnetIds: ['subnet-0a'] } };
    writeFileSync(file, JSON.stringify(config));

    // Act
    const { stdout, code } = await cost('--config', file, '--nat-gateways', '2');

    // Assess: 2 × 730 hours at $0.045.
    expect(code).toBe(0);
    expect(stdout).toMatch(/VPC\s+NAT gateway hours\s+1,460\s+\$0\.045 per NAT gateway-hour\s+\$65\.70/);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!).networkMonthlyUsd).toBeGreaterThan(65.7);
  });

  it('exits 2 naming the flag when a value is bad', async () => {
    // Act
    const { stderr, code } = await cost('--users', '-1');

    // Assess
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('cost: --users takes a whole number of 0 or more, not "-1"');
  });

  it('exits 2 naming the profiles it knows when one asked for is not in the registry', async () => {
    // Act
    const { stderr, code } = await cost('--config', EXAMPLE, '--run-profile', 'tpu');

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('--run-profile: no profile tpu; known: cpu-small, gpu-t4, pyspark');
  });
});

describe('the figures the documentation states', () => {
  it('are what the model makes of the example configuration with the default assumptions', () => {
    // Prepare
    const inventory = inventoryOf(loadInfraConfig(EXAMPLE), 2);
    const profiles = {
      server: { slug: 'cpu-small', hourlyPrice: 0.05, homeGb: 10 },
      run: { slug: 'cpu-small', hourlyPrice: 0.05 },
    };
    const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

    // Act
    const month = monthLines(inventory, readWorkflows(), DEFAULT_USAGE, profiles);
    const [own, eks] = [totalUsd(month, 'own').toFixed(2), totalUsd(month, 'eks').toFixed(2)];
    const idle = totalUsd(idleLines(inventory, readWorkflows(), DEFAULT_USAGE)).toFixed(2);
    const lean = inventoryOf({ ...loadInfraConfig(EXAMPLE), waf: { ...LEAN_WAF }, dashboard: false }, 2);
    const leanIdle = totalUsd(idleLines(lean, readWorkflows(), DEFAULT_USAGE)).toFixed(2);

    // Assess
    expect(read('README.md')).toContain(`Orrery's own parts\ncost $${own} a month`);
    expect(read('README.md')).toContain(`apart from the $${eks} the cluster`);
    expect(read('docs/cost.md')).toContain(`| Orrery's own parts | **${own}** |`);
    expect(read('docs/cost.md')).toContain(`| the idle platform (nobody on it), beyond the cluster | ${idle} |`);
    expect(read('docs/cost.md')).toContain(`a shared web ACL and \`"dashboard": false\`: **$${leanIdle}**`);
    expect(read('README.md')).toContain(`idles at $${idle} a month`);
  });
});
