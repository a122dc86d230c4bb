import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToUploadForm, tinyNotebook } from '../support/notebooks.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
let id: string;

/** Everything a reader can see of the archive: every notebook alice can list, with its versions. */
const snapshot = async () => {
  const list = await t.api('GET', '/notebooks?limit=200', t.tokens.root);
  const versions = await Promise.all(
    list.body.items.map((n: { id: string }) => t.api('GET', `/notebooks/${n.id}/versions?limit=200`, t.tokens.root)),
  );
  return JSON.stringify([list.body.items, versions.map((v) => v.body.items)]);
};

const rawRequest = (path: string, token: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const url = new URL(t.platform.url);
    const req = request(
      { host: url.hostname, port: url.port, path, method: 'GET', headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });

beforeAll(async () => {
  t = await startTestPlatform();
  id = (await t.api('POST', '/notebooks', t.tokens.alice, { title: 'Keeper', tags: ['keep'], content: tinyNotebook() }))
    .body.notebook.id;
});
afterAll(async () => {
  await t?.close();
});

const cases: Array<[string, () => Promise<{ status: number; body: any }>, number, RegExp]> = [
  ['malformed JSON', () => t.raw('POST', '/notebooks', t.tokens.alice, '{"title": "x",'), 400, /not valid JSON/],
  [
    'a body that is not a notebook',
    () => t.api('POST', `/notebooks/${id}/versions`, t.tokens.alice, { content: '{"hello": "world"}' }),
    422,
    /nbformat/,
  ],
  [
    'a notebook with an unknown output type',
    () =>
      t.api('POST', `/notebooks/${id}/versions`, t.tokens.alice, {
        content: tinyNotebook().replace('"stream"', '"movie"'),
      }),
    422,
    /cells\[2\]\.outputs\[0\]/,
  ],
  [
    'an nbformat 3 notebook',
    () =>
      t.api('POST', `/notebooks/${id}/versions`, t.tokens.alice, {
        content: { nbformat: 3, nbformat_minor: 0, worksheets: [] },
      }),
    422,
    /upgrade|Upgrade/,
  ],
  [
    'a 50 MB inline body',
    () =>
      t.raw(
        'POST',
        '/notebooks',
        t.tokens.alice,
        JSON.stringify({ title: 'huge', content: 'x'.repeat(50 * 1024 * 1024) }),
      ),
    413,
    /upload/,
  ],
  [
    'a 5 MB inline notebook',
    () =>
      t.api('POST', `/notebooks/${id}/versions`, t.tokens.alice, {
        content: tinyNotebook('y'.repeat(5 * 1024 * 1024)),
      }),
    413,
    /upload URL|uploads/,
  ],
  [
    'content nested 20,000 levels deep',
    () =>
      t.raw(
        'POST',
        '/notebooks',
        t.tokens.alice,
        `{"title": "deep", "content": ${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`,
      ),
    400,
    /nested too deeply/,
  ],
  [
    'run parameters with a repeated key',
    () => t.raw('POST', `/notebooks/${id}/runs`, t.tokens.alice, '{"parameters": {"n": 1, "n": 2}}'),
    400,
    /body\.parameters has the key "n" twice/,
  ],
  [
    'run parameters nested 20,000 levels deep',
    () =>
      t.raw(
        'POST',
        `/notebooks/${id}/runs`,
        t.tokens.alice,
        `{"parameters": {"n": ${'['.repeat(20_000)}${']'.repeat(20_000)}}}`,
      ),
    400,
    /nested too deeply/,
  ],
  [
    'a patch that names a field twice',
    () => t.raw('PATCH', `/notebooks/${id}`, t.tokens.alice, '{"visibility": "private", "visibility": "org"}'),
    400,
    /has the key "visibility" twice/,
  ],
  [
    'tags that are not slugs',
    () => t.api('POST', '/notebooks', t.tokens.alice, { title: 'x', tags: ['Bad Tag!'] }),
    400,
    /slug/,
  ],
  [
    '51 tags',
    () =>
      t.api('POST', '/notebooks', t.tokens.alice, { title: 'x', tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }),
    400,
    /at most 50/,
  ],
  ['an empty title', () => t.api('POST', '/notebooks', t.tokens.alice, { title: '  ' }), 400, /title/],
  ['an unknown field', () => t.api('POST', '/notebooks', t.tokens.alice, { title: 'x', titel: 'typo' }), 400, /titel/],
  [
    'a visibility that does not exist',
    () => t.api('PATCH', `/notebooks/${id}`, t.tokens.alice, { visibility: 'public' }),
    400,
    /visibility/,
  ],
  ['an empty patch', () => t.api('PATCH', `/notebooks/${id}`, t.tokens.alice, {}), 400, /at least one/],
  // fetch would resolve %2e%2e itself, so these go out exactly as written.
  [
    'an id with %2e%2e',
    () =>
      rawRequest('/api/notebooks/%2e%2e', t.tokens.alice).then((r) => ({ status: r.status, body: JSON.parse(r.body) })),
    400,
    /notebook id/,
  ],
  ['an id with ..%2f', () => t.api('GET', '/notebooks/..%2f..%2fsecrets.json', t.tokens.alice), 400, /notebook id/],
  [
    'a raw ../ path',
    () =>
      rawRequest(`/api/notebooks/../versions`, t.tokens.alice).then((r) => ({
        status: r.status,
        body: JSON.parse(r.body),
      })),
    400,
    /notebook id/,
  ],
  [
    'a raw ../ path out of the API',
    () =>
      rawRequest(`/api/../../etc/passwd`, t.tokens.alice).then((r) => ({ status: r.status, body: JSON.parse(r.body) })),
    404,
    /no route/,
  ],
  [
    'a version that is not a number',
    () => t.api('GET', `/notebooks/${id}/versions/one`, t.tokens.alice),
    400,
    /version number/,
  ],
  [
    'a commit naming a hash that does not match the upload',
    async () => {
      const up = await t.api('POST', `/notebooks/${id}/uploads`, t.tokens.alice);
      await postToUploadForm(up.body, tinyNotebook('other'));
      return t.api('POST', `/notebooks/${id}/versions`, t.tokens.alice, {
        uploadId: up.body.uploadId,
        sha256: 'b'.repeat(64),
      });
    },
    422,
    /sha256/,
  ],
  [
    'a commit with no upload',
    async () => {
      const up = await t.api('POST', `/notebooks/${id}/uploads`, t.tokens.alice);
      return t.api('POST', `/notebooks/${id}/versions`, t.tokens.alice, {
        uploadId: up.body.uploadId,
        sha256: 'c'.repeat(64),
      });
    },
    409,
    /POST the file/,
  ],
  [
    'a commit with an upload id but no hash',
    () => t.api('POST', `/notebooks/${id}/versions`, t.tokens.alice, { uploadId: 'up-0000000000000000' }),
    400,
    /sha256/,
  ],
  [
    'a commit with both content and an upload',
    () =>
      t.api('POST', `/notebooks/${id}/versions`, t.tokens.alice, {
        content: tinyNotebook(),
        uploadId: 'up-0000000000000000',
        sha256: 'c'.repeat(64),
      }),
    400,
    /either/,
  ],
  ['a tampered cursor', () => t.api('GET', '/notebooks?cursor=AAAA.BBBB', t.tokens.alice), 400, /cursor/],
  ['a limit of 0', () => t.api('GET', '/notebooks?limit=0', t.tokens.alice), 400, /limit/],
  ['a limit that is not a number', () => t.api('GET', '/notebooks?limit=lots', t.tokens.alice), 400, /limit/],
  ['an unknown query parameter', () => t.api('GET', '/notebooks?tags=x', t.tokens.alice), 400, /tags/],
  ['an unknown route', () => t.api('GET', '/notebookz', t.tokens.alice), 404, /no route/],
];

describe('bad input gets a clear 4xx and leaves the archive exactly as it was', () => {
  for (const [what, send, status, message] of cases) {
    it(`answers ${status} to ${what}`, async () => {
      // Prepare
      const before = await snapshot();
      // Act
      const res = await send();
      // Assess
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.message).toMatch(message);
      expect(res.body.requestId).toBeTruthy();
      expect(await snapshot()).toBe(before);
    });
  }
});
