import { FakeCredentialBroker } from '../support/fake-credential-broker.ts';
import { credentialBrokerContract } from './credential-broker.case.ts';

// The use-case tests' fake keeps the port's contract, levers included, so what they learn holds for STS too.
credentialBrokerContract('the fake broker of the use-case tests', async () => {
  const broker = new FakeCredentialBroker({ now: () => new Date() });
  return {
    broker,
    received: () => broker.requests,
    deny: (roleArn) => broker.deny(roleArn),
    limitSession: (roleArn, maxSeconds) => broker.limitSession(roleArn, maxSeconds),
    throttle: () => broker.throttle(),
  };
});
