import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll } from 'vitest';
import { StsCredentialBroker } from '../../src/adapters/aws/sts-credential-broker.ts';
import { FAKE_STS_CALLER, type FakeSts, startFakeSts } from '../support/fake-sts.ts';
import { credentialBrokerContract } from './credential-broker.case.ts';

let fake: FakeSts;
beforeAll(async () => {
  fake = await startFakeSts();
});
afterAll(async () => {
  await fake?.close();
});

credentialBrokerContract('STS (the real SDK client) on the fake STS endpoint', async () => {
  fake.reset();
  // One attempt: the SDK's retries of a throttled call would only slow the throttling case down.
  const client = new STSClient({
    region: 'eu-west-1',
    endpoint: fake.url,
    credentials: FAKE_STS_CALLER,
    maxAttempts: 1,
  });
  return {
    broker: new StsCredentialBroker(client),
    received: () =>
      fake.requests.map((r) => ({
        roleArn: r.roleArn!,
        sessionName: r.roleSessionName!,
        sourceIdentity: r.sourceIdentity!,
        tags: r.tags,
        durationSeconds: r.durationSeconds!,
      })),
    deny: (roleArn) => fake.state.deny.add(roleArn),
    limitSession: (roleArn, maxSeconds) => fake.state.maxSessionSeconds.set(roleArn, maxSeconds),
    throttle: () => {
      fake.state.throttle = Number.POSITIVE_INFINITY;
    },
  };
});
