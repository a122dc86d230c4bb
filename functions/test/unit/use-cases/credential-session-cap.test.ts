import { describe, expect, it } from 'vitest';
import { MemoryCredentialLog } from '../../../src/adapters/memory/memory-credential-log.ts';
import { ValidationError } from '../../../src/domain/errors.ts';
import type { Role } from '../../../src/domain/role.ts';
import { issueCredentials, issueRoleSession } from '../../../src/use-cases/issue-credentials.ts';
import { listRoles } from '../../../src/use-cases/list-roles.ts';
import { FakeCredentialBroker } from '../../support/fake-credential-broker.ts';
import { FakeClock, people, SequentialIds } from '../../support/fakes.ts';

const SANDBOX: Role = {
  name: 'sandbox',
  roleArn: 'arn:aws:iam::123456789012:role/sandbox',
  account: 'ads-dev',
  environment: 'dev',
  maxSessionSeconds: 43_200,
  teams: ['*'],
  users: [],
  description: 'scratch',
};

const deps = (sessionCapSeconds?: number) => {
  const clock = new FakeClock();
  return {
    roles: [SANDBOX],
    broker: new FakeCredentialBroker(clock),
    credentialLog: new MemoryCredentialLog(),
    clock,
    ids: new SequentialIds(),
    sessionCapSeconds,
  };
};

describe('issuing under the broker’s cap (role chaining)', () => {
  it('answers a request above the cap with a 400 that explains it, and never asks STS', async () => {
    // Prepare
    const d = deps(3600);

    // Act
    const refused = issueCredentials(d, { user: people.alice, role: 'sandbox', durationSeconds: 43_200 });

    // Assess
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toThrow(/role allows 43200.*chained sessions at 3600 seconds/);
    expect(d.broker.requests).toEqual([]);
  });

  it('issues up to the cap, and up to the role’s own maximum where there is no cap', async () => {
    // Prepare
    const capped = deps(3600);
    const uncapped = deps();

    // Act
    await issueCredentials(capped, { user: people.alice, role: 'sandbox', durationSeconds: 3600 });
    await issueCredentials(uncapped, { user: people.alice, role: 'sandbox', durationSeconds: 43_200 });

    // Assess
    expect(capped.broker.requests.map((r) => r.durationSeconds)).toEqual([3600]);
    expect(uncapped.broker.requests.map((r) => r.durationSeconds)).toEqual([43_200]);
  });

  it('shows the capped maximum in GET /credentials/roles', () => {
    // Act
    const capped = listRoles(deps(3600), { user: people.alice });
    const uncapped = listRoles(deps(), { user: people.alice });

    // Assess
    expect(capped.items.map((r) => r.maxSessionSeconds)).toEqual([3600]);
    expect(uncapped.items.map((r) => r.maxSessionSeconds)).toEqual([43_200]);
  });

  it('shortens a server’s or run’s session to the cap instead of failing, and records what was issued', async () => {
    // Prepare
    const d = deps(3600);

    // Act
    await issueRoleSession(d, { user: people.alice, role: SANDBOX, purpose: 'server', durationSeconds: 43_200 });
    const { items } = await d.credentialLog.listAll({ limit: 10 });

    // Assess
    expect(d.broker.requests.map((r) => r.durationSeconds)).toEqual([3600]);
    expect(items.map((i) => i.durationSeconds)).toEqual([3600]);
  });
});
