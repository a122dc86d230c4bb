import { makeStsClient, StsCredentialBroker } from '../../src/adapters/aws/sts-credential-broker.ts';
import type { AssumeRoleRequest } from '../../src/ports/credential-broker.ts';

// Run as a child (`node --import tsx assume-role-child.ts '<request JSON>' [region]`) so a test controls the whole
// environment the SDK's default chain and endpoint settings see: the broker exactly as local mode builds it.
// Prints one JSON line: `{"keys": …}` or `{"error": {"name", "code", "message"}}`.

const request = JSON.parse(process.argv[2] ?? '{}') as AssumeRoleRequest;
const broker = new StsCredentialBroker(makeStsClient(process.argv[3] ?? 'eu-west-1'));
try {
  const keys = await broker.assumeRole(request);
  process.stdout.write(`${JSON.stringify({ keys })}\n`);
} catch (err) {
  const e = err as { name?: string; code?: string; message?: string };
  process.stdout.write(`${JSON.stringify({ error: { name: e.name, code: e.code, message: e.message } })}\n`);
}
