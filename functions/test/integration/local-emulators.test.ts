import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToUploadForm, tinyNotebook } from '../support/notebooks.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
let sha: string;

beforeAll(async () => {
  t = await startTestPlatform();
  sha = (await t.api('POST', '/notebooks', t.tokens.alice, { title: 'Secret', content: tinyNotebook('secret') })).body
    .version.sha256;
});
afterAll(async () => {
  await t?.close();
});

describe('the embedded emulators of local mode', () => {
  it('refuse anonymous reads and writes of the bucket', async () => {
    const s3 = t.platform.config.s3Endpoint!;
    expect((await fetch(`${s3}/orrery-notebooks/bodies/${sha}`)).status).toBe(403);
    expect((await fetch(`${s3}/orrery-notebooks/bodies/${sha}`, { method: 'PUT', body: 'overwritten' })).status).toBe(
      403,
    );
    expect((await fetch(`${s3}/orrery-notebooks?list-type=2`)).status).toBe(403);
  });

  it('take a browser form only as the platform signed it: not forged, not re-aimed at another key', async () => {
    // Prepare
    const s3 = t.platform.config.s3Endpoint!;
    const nb = (await t.api('POST', '/notebooks', t.tokens.alice, { title: 'Form' })).body.notebook.id;
    const { body: upload } = await t.api('POST', `/notebooks/${nb}/uploads`, t.tokens.alice);
    // Act
    const anonymous = await postToUploadForm(
      { url: `${s3}/orrery-notebooks`, fields: { key: `bodies/${sha}` } },
      'overwritten',
    );
    const reaimed = await postToUploadForm(
      { url: upload.url, fields: { ...upload.fields, key: `bodies/${sha}` } },
      'overwritten',
    );
    const signed = await postToUploadForm(upload, tinyNotebook('via form'));
    // Assess
    expect([anonymous.status, reaimed.status, signed.status]).toEqual([403, 403, 204]);
    const stored = await t.api(
      'GET',
      `/notebooks/${(await t.api('GET', '/notebooks?q=Secret', t.tokens.alice)).body.items[0].id}/versions/1`,
      t.tokens.alice,
    );
    expect(await (await fetch(stored.body.download.url)).text()).toBe(tinyNotebook('secret'));
  });

  it('take no form whose fields could be read two ways: a repeated key, a field after the file, a made-up header', async () => {
    // Prepare
    const nb = (await t.api('POST', '/notebooks', t.tokens.alice, { title: 'Twice' })).body.notebook.id;
    const { body: upload } = await t.api('POST', `/notebooks/${nb}/uploads`, t.tokens.alice);
    const send = (build: (form: FormData) => void, headers: Record<string, string> = {}) => {
      const form = new FormData();
      build(form);
      return fetch(upload.url, { method: 'POST', body: form, headers });
    };
    const signedFields = (form: FormData) => {
      for (const [k, v] of Object.entries(upload.fields as Record<string, string>)) form.append(k, v);
    };
    // Act
    const repeated = await send((f) => {
      f.append('key', `bodies/${sha}`);
      signedFields(f);
      f.append('Key', upload.fields.key);
      f.append('file', new Blob(['overwritten']));
    });
    const afterFile = await send((f) => {
      signedFields(f);
      f.append('file', new Blob(['overwritten']));
      f.append('x-ignore-tail', 'x');
    });
    const withHeader = await send(
      (f) => {
        f.append('key', `bodies/${sha}`);
        f.append('file', new Blob(['overwritten']));
      },
      {
        authorization:
          'AWS4-HMAC-SHA256 Credential=S3RVER/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00',
      },
    );
    // Assess
    expect([repeated.status, afterFile.status, withHeader.status]).toEqual([400, 400, 403]);
    const stored = await t.api(
      'GET',
      `/notebooks/${(await t.api('GET', '/notebooks?q=Secret', t.tokens.alice)).body.items[0].id}/versions/1`,
      t.tokens.alice,
    );
    expect(await (await fetch(stored.body.download.url)).text()).toBe(tinyNotebook('secret'));
  });

  it('let only the platform’s own origin upload from a browser', async () => {
    const s3 = t.platform.config.s3Endpoint!;
    const preflight = (origin: string) =>
      fetch(`${s3}/orrery-notebooks`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const own = await preflight(t.platform.url);
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-methods')).toContain('POST');
    const evil = await preflight('https://evil.example');
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuse any browser request to the DynamoDB emulator', async () => {
    const res = await fetch(t.platform.config.dynamoEndpoint!, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
      },
      body: '{}',
    });
    expect(res.status).toBe(403);
  });
});
