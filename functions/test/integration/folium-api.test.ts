import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/contracts/api-routes.ts';
import { fixture, postToUploadForm, tinyNotebook } from '../support/notebooks.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

describe('Folium over the local API, against dynalite and s3rver', () => {
  it('takes a body in two steps: create, POST to the presigned form, commit by sha256, download the same bytes', async () => {
    // Prepare
    const body = fixture('parameters-basic.ipynb');
    const created = await t.api('POST', '/notebooks', t.tokens.alice, {
      title: 'Quarterly report',
      description: 'ads',
      tags: ['q3', 'ads'],
      group: 'ads/reports',
      visibility: 'team',
    });
    expect(created.status).toBe(201);
    const { notebook, upload } = created.body;
    // Act
    const put = await postToUploadForm(upload, body);
    const commit = await t.api('POST', `/notebooks/${notebook.id}/versions`, t.tokens.alice, {
      uploadId: upload.uploadId,
      sha256: sha(body),
      message: 'first cut',
    });
    // Assess
    expect(put.status).toBe(204);
    expect(commit.status, commit.text).toBe(201);
    expect(commit.body).toMatchObject({ version: 1, message: 'first cut', sha256: sha(body), author: 'alice' });
    const version = await t.api('GET', `/notebooks/${notebook.id}/versions/1`, t.tokens.amir);
    const download = await fetch(version.body.download.url);
    expect(await download.text()).toBe(body);
    expect(download.headers.get('content-disposition')).toContain('Quarterly_report-v1.ipynb');
    expect((await t.api('GET', `/notebooks/${notebook.id}`, t.tokens.amir)).body.latestVersion).toBe(1);
    const again = await t.api('POST', `/notebooks/${notebook.id}/versions`, t.tokens.alice, {
      uploadId: upload.uploadId,
      sha256: sha(body),
    });
    expect(again.status).toBe(409);
  });

  it('infers parameters the way papermill reads the parameters cell', async () => {
    const { body } = await t.api('POST', '/notebooks', t.tokens.alice, {
      title: 'Params',
      content: fixture('parameters-basic.ipynb'),
    });
    const params = await t.api('GET', `/notebooks/${body.notebook.id}/parameters`, t.tokens.alice);
    expect(params.status).toBe(200);
    expect(params.body.version).toBe(1);
    expect(params.body.problems).toEqual([]);
    expect(
      params.body.parameters.map(({ name, type, default: value, help }: Record<string, unknown>) => ({
        name,
        type,
        value,
        help,
      })),
    ).toEqual([
      { name: 'region', type: 'str', value: 'eu-west-1', help: 'AWS region to read sales from' },
      { name: 'days', type: 'int', value: 7, help: 'how many days to look back' },
      { name: 'threshold', type: 'float', value: 0.25, help: 'alert when the drop exceeds this fraction' },
      { name: 'dry_run', type: 'bool', value: false, help: 'print the alert instead of sending it' },
      { name: 'products', type: 'list', value: ['widget', 'gadget'], help: 'products to include' },
      { name: 'limits', type: 'dict', value: { widget: 100, gadget: 50 }, help: 'minimum daily units per product' },
      { name: 'note', type: 'None', value: null, help: 'optional note for the report header' },
    ]);
    expect((await t.api('GET', `/notebooks/${body.notebook.id}/parameters?version=2`, t.tokens.alice)).status).toBe(
      404,
    );
  });

  it('records a parameters cell far too big for one item by cutting it short, not by failing', async () => {
    const huge = `x = '${'z'.repeat(300_000)}'  # big\n${'import os\n'.repeat(60_000)}`;
    const created = await t.api('POST', '/notebooks', t.tokens.alice, {
      title: 'Huge params',
      content: tinyNotebook().replace('"n = 3  # how many\\n"', JSON.stringify(huge)),
    });
    expect(created.status, created.text.slice(0, 300)).toBe(201);
    const params = await t.api('GET', `/notebooks/${created.body.notebook.id}/parameters`, t.tokens.alice);
    expect(params.body.parameters).toEqual([
      expect.objectContaining({ name: 'x', type: 'str', default: null, truncated: true, help: 'big' }),
    ]);
    expect(params.body.problems.length).toBeLessThanOrEqual(51);
  });

  it('renders a version as HTML under a strict Content-Security-Policy', async () => {
    const { body } = await t.api('POST', '/notebooks', t.tokens.alice, {
      title: 'Render <me>',
      content: tinyNotebook('rendered output'),
    });
    const res = await t.api('GET', `/notebooks/${body.notebook.id}/versions/1/html`, t.tokens.alice);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(res.text).toContain('rendered output');
    expect(res.text).toContain('Render &lt;me&gt;');
  });

  it('keeps versions contiguous when twenty commits race over HTTP', async () => {
    const { body } = await t.api('POST', '/notebooks', t.tokens.alice, { title: 'Race', content: tinyNotebook('v1') });
    const id = body.notebook.id;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.api('POST', `/notebooks/${id}/versions`, t.tokens.alice, {
          content: tinyNotebook(`r${i}`),
          message: `r${i}`,
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.version)).size).toBe(20);
    const versions = await t.api('GET', `/notebooks/${id}/versions?limit=200`, t.tokens.alice);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
    expect((await t.api('GET', `/notebooks/${id}`, t.tokens.alice)).body.latestVersion).toBe(21);
  });

  it('pages through a filtered list with opaque cursors and follows edits of tags and groups', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1)
      ids.unshift(
        (await t.api('POST', '/notebooks', t.tokens.bob, { title: `Paged ${i}`, tags: ['paged'], visibility: 'org' }))
          .body.notebook.id,
      );
    const seen: string[] = [];
    let cursor = '';
    do {
      const page = await t.api(
        'GET',
        `/notebooks?tag=paged&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        t.tokens.alice,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((n: { id: string }) => n.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    await t.api('PATCH', `/notebooks/${ids[0]}`, t.tokens.bob, { tags: ['moved'], group: 'risk/models' });
    expect((await t.api('GET', '/notebooks?tag=paged&limit=50', t.tokens.alice)).body.items).toHaveLength(6);
    expect(
      (await t.api('GET', '/notebooks?group=risk/models', t.tokens.alice)).body.items.map((n: { id: string }) => n.id),
    ).toEqual([ids[0]]);
    expect(
      (await t.api('GET', '/notebooks?q=paged%205&owner=bob', t.tokens.alice)).body.items.map(
        (n: { title: string }) => n.title,
      ),
    ).toEqual(['Paged 5']);
  });

  it('shows every write in the next listing of every caller, though the same listings are served from its cache', async () => {
    const { body } = await t.api('POST', '/notebooks', t.tokens.alice, { title: 'Cached', visibility: 'org' });
    const id: string = body.notebook.id;
    const mine = async (token: string) => {
      const page = await t.api('GET', '/notebooks?limit=5', token);
      return page.body.items.find((n: { id: string }) => n.id === id);
    };
    const both = async () => [await mine(t.tokens.alice), await mine(t.tokens.bob)];
    for (let i = 0; i < 3; i += 1) await both();
    await t.api('PATCH', `/notebooks/${id}`, t.tokens.alice, { title: 'Cached, renamed' });
    for (const seen of await both()) expect(seen).toMatchObject({ title: 'Cached, renamed', latestVersion: 0 });
    await both();
    const commit = await t.api('POST', `/notebooks/${id}/versions`, t.tokens.alice, { content: tinyNotebook() });
    expect(commit.status, commit.text).toBe(201);
    for (const seen of await both()) expect(seen).toMatchObject({ latestVersion: 1 });
    await both();
    expect((await t.api('DELETE', `/notebooks/${id}`, t.tokens.alice)).status).toBe(200);
    expect(await both()).toEqual([undefined, undefined]);
  });

  it('describes every route in the OpenAPI document with the schemas that validate it', async () => {
    const { body } = await t.api('GET', '/openapi.json');
    for (const spec of Object.values(API_ROUTES))
      expect(body.paths[spec.path]?.[spec.method.toLowerCase()], `${spec.method} ${spec.path}`).toBeDefined();
    const create = body.paths['/notebooks'].post.requestBody.content['application/json'].schema;
    expect(create.required).toContain('title');
    expect(create.properties.visibility.enum).toEqual(['private', 'team', 'org']);
    expect(body.paths['/healthz'].get.security).toEqual([]);
    expect(body.paths['/servers/{name}/activity'].post.security).toEqual([{ serverToken: [] }]);
    expect(body.paths['/servers/{name}/progress'].get.responses['200'].content).toHaveProperty(['text/event-stream']);
  });
});
