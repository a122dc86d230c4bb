import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyNotebook } from '../support/notebooks.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

// s3rver keeps each object as files under <data>/s3/<bucket>/<key>: the rendered pages are findable by path.
const storedPages = (): string[] =>
  readdirSync(join(t.home, 's3'), { recursive: true, encoding: 'utf8' }).filter(
    (path) => path.includes(`rendered${'/'}`) && path.endsWith('.html._S3rver_object'),
  );

describe('rendered pages in local mode', () => {
  it('keeps a rendered version in the bucket under rendered/ and serves the same page again', async () => {
    // Prepare
    const { body } = await t.api('POST', '/notebooks', t.tokens.alice, {
      title: 'Cached',
      content: tinyNotebook('kept once'),
    });
    const path = `/notebooks/${body.notebook.id}/versions/1/html`;

    // Act
    const first = await t.api('GET', path, t.tokens.alice);
    const pages = storedPages();
    const second = await t.api('GET', path, t.tokens.alice);

    // Assess
    expect(first.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(pages).toEqual([
      expect.stringMatching(
        new RegExp(`rendered/v\\d+/versions/${body.version.sha256}/[0-9a-f]{64}\\.html\\._S3rver_object$`),
      ),
    ]);
  });
});
