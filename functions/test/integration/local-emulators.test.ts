import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyNotebook } from '../support/notebooks.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
let sha: string;

beforeAll(async () => {
  t = await startTestPlatform();
  sha = (await t.api('POST', '/notebooks', t.tokens.alice, { title: 'Secret', content: tinyNotebook('secret') })).body.version.sha256;
});
afterAll(async () => {
  await t?.close();
});

describe('the embedded emulators of local mode', () => {
  it('refuse anonymous reads and writes of the bucket', async () => {
    const s3 = t.platform.config.s3Endpoint!;
    expect((await fetch(`${s3}/orrery-notebooks/bodies/${sha}`)).status).toBe(403);
    expect((await fetch(`${s3}/orrery-notebooks/bodies/${sha}`, { method: 'PUT', body: 'overwritten' })).status).toBe(403);
    expect((await fetch(`${s3}/orrery-notebooks?list-type=2`)).status).toBe(403);
  });

  it('let only the platform’s own origin upload from a browser', async () => {
    const s3 = t.platform.config.s3Endpoint!;
    const preflight = (origin: string) =>
      fetch(`${s3}/orrery-notebooks/uploads/x`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT' } });
    const own = await preflight(t.platform.url);
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-methods')).toContain('PUT');
    const evil = await preflight('https://evil.example');
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuse any browser request to the DynamoDB emulator', async () => {
    const res = await fetch(t.platform.config.dynamoEndpoint!, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });
    expect(res.status).toBe(403);
  });
});
