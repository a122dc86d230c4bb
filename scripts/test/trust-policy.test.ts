import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { brokerRoleArn, trustPolicyFor } from '../../infra/lib/credential-roles.ts';
import { loadInfraConfig } from '../../infra/lib/config.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'infra', 'orrery.config.example.json');

/** Runs `npm run trust-policy -- …args` as npm does (node with tsx, from the root); its output and exit code. */
const trustPolicy = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/trust-policy.ts', ...args],
      { cwd: ROOT, env: { ...process.env, INIT_CWD: ROOT, ORRERY_INFRA_CONFIG: EXAMPLE } },
    );
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
};

describe('npm run trust-policy', () => {
  it('prints the trust policy trusting the broker the deploy names, and how to apply it, offline', async () => {
    // Prepare
    const broker = brokerRoleArn(loadInfraConfig(EXAMPLE));

    // Act
    const { stdout, stderr, code } = await trustPolicy('sandbox');

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(trustPolicyFor(broker));
    expect(stderr).toContain(
      'aws iam update-assume-role-policy --role-name sandbox --policy-document file://trust.json',
    );
    expect(stderr).toMatch(/MaxSessionDuration at 3600 seconds or more/);
  });

  it('takes the broker ARN and the registry from the command line', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'orrery-trust-'));
    const roles = join(dir, 'roles.json');
    const entry = {
      name: 'lake',
      roleArn: 'arn:aws:iam::210987654321:role/lake',
      account: 'lake',
      environment: 'prod',
    };
    writeFileSync(roles, JSON.stringify([{ ...entry, maxSessionSeconds: 1800, teams: ['*'] }]));
    const broker = 'arn:aws:iam::111122223333:role/orrery-credentials-broker-eu-west-1';

    // Act
    const { stdout, code } = await trustPolicy('lake', '--roles', roles, '--broker-arn', broker);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(trustPolicyFor(broker));
  });

  it('exits 2 naming the known roles for a role the registry lacks, and for a broker that is no role ARN', async () => {
    // Act
    const unknown = await trustPolicy('nope');
    const badBroker = await trustPolicy('sandbox', '--broker-arn', 'arn:aws:iam::1:user/x');

    // Assess
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(
      /no role 'nope' in config\/roles\.example\.yaml; the known roles: ads-analyst, risk-prod-readonly, sandbox/,
    );
    expect(badBroker).toMatchObject({ code: 2, stdout: '' });
    expect(badBroker.stderr).toMatch(/is not an IAM role ARN/);
  });
});
