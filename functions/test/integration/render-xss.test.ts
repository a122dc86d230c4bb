import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNotebook } from '../../src/domain/nbformat.ts';
import { NOTEBOOK_HTML_CSP, renderNotebookHtml } from '../../src/domain/rendering/notebook-html.ts';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';
import { startTestPlatform } from '../support/platform.ts';

const CORPUS_PATH = new URL('../fixtures/xss-corpus.ipynb', import.meta.url);
const SETTLE_MS = 500;
const TEST_TIMEOUT_MS = 60_000;

// Everything in the notebook's body a browser could turn into script, navigation or a request,
// or that could clobber window.__xss, if it survived sanitizing. The head is the renderer's own.
const FORBIDDEN_SELECTOR =
  'script, style, iframe, object, embed, form, button, meta, base, link, svg, math, template, noscript, ' +
  '[style], [id], [name], [srcset]';

interface Observed {
  dialogs: string[];
  requests: string[];
  popups: string[];
}

const renderCorpus = (): string =>
  renderNotebookHtml(parseNotebook(readFileSync(CORPUS_PATH, 'utf8')).notebook, {
    title: 'XSS corpus <script>window.__xss=1;alert("title")</script>',
  });

const serve = async (html: string, headers: Record<string, string>): Promise<{ server: Server; url: string }> => {
  const server = createServer((request, response) => {
    if (request.url !== '/') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
};

// The corpus's good attachments are data: images: counting those that loaded shows the corpus itself was served.
const countLoadedImages = (page: Page): Promise<number> =>
  page.evaluate(() => [...document.images].filter((image) => image.naturalWidth > 0).length);

const closeServer = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

const observe = (context: BrowserContext): Observed => {
  const observed: Observed = { dialogs: [], requests: [], popups: [] };
  context.on('dialog', (dialog) => {
    observed.dialogs.push(dialog.message());
    void dialog.dismiss().catch(() => undefined);
  });
  context.on('request', (request) => observed.requests.push(request.url()));
  context.on('page', (page) => observed.popups.push(page.url()));
  return observed;
};

// Real pointer actions where the element has a box; forced and time-boxed, since many sanitized
// elements (empty <a>, <img> without src) are invisible and that is fine.
const exercise = async (page: Page): Promise<void> => {
  for (const link of await page.locator('a').all()) {
    await link.click({ force: true, timeout: 1_000, noWaitAfter: true }).catch(() => undefined);
  }
  for (const element of await page.locator('body *').all()) {
    await element.hover({ force: true, timeout: 500 }).catch(() => undefined);
  }
  await page.waitForTimeout(SETTLE_MS);
};

describe.skipIf(!chromiumAvailable())('the XSS corpus rendered and opened in Chromium', () => {
  let browser: Browser;
  const servers: Server[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map(closeServer));
  });

  const openCorpus = async (headers: Record<string, string>) => {
    const { server, url } = await serve(renderCorpus(), headers);
    servers.push(server);
    return openUrl(url, {});
  };

  const openUrl = async (url: string, requestHeaders: Record<string, string>) => {
    const context = await browser.newContext({ extraHTTPHeaders: requestHeaders });
    const page = await context.newPage();
    // Observed from here on, so the page we opened ourselves is not counted as a popup.
    const observed = observe(context);
    const response = await page.goto(url, { waitUntil: 'load' });
    await exercise(page);
    return { context, observed, page, url, response };
  };

  const assertNothingRan = async ({ observed, page, url }: Awaited<ReturnType<typeof openCorpus>>) => {
    expect(observed.dialogs).toEqual([]);
    expect(observed.popups).toEqual([]);
    expect(observed.requests.filter((requested) => !requested.startsWith('data:'))).toEqual([url]);
    expect(page.url()).toBe(url);
    expect(page.frames()).toHaveLength(1);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('body').locator(FORBIDDEN_SELECTOR).count()).toBe(0);
    expect(
      await page.evaluate(() =>
        [...document.querySelectorAll('*')].flatMap((el) =>
          el.getAttributeNames().filter((name) => name.startsWith('on')),
        ),
      ),
    ).toEqual([]);
  };

  it('runs no payload, opens no dialog and sends no request when served with the notebook CSP', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    // Prepare
    const opened = await openCorpus({ 'content-security-policy': NOTEBOOK_HTML_CSP });

    // Act
    const loadedImages = await countLoadedImages(opened.page);

    // Assess
    await assertNothingRan(opened);
    expect(loadedImages).toBeGreaterThanOrEqual(2);
    await opened.context.close();
  });

  it('runs no payload through the real API route, which serves the page with its CSP', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    // Prepare
    const platform = await startTestPlatform();
    try {
      const created = await platform.api('POST', '/notebooks', platform.tokens.alice, {
        title: 'XSS <script>alert(1)</script>',
        content: readFileSync(CORPUS_PATH, 'utf8'),
      });
      const url = `${platform.platform.apiUrl}/notebooks/${created.body.notebook.id}/versions/1/html`;

      // Act
      const opened = await openUrl(url, { authorization: `Bearer ${platform.tokens.alice}` });
      const response = opened.response!;
      const served = await response.text();
      const loadedImages = await countLoadedImages(opened.page);

      // Assess: the corpus itself came back (an error page would pass every check of assertNothingRan).
      expect(response.status()).toBe(200);
      expect(response.headers()).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': NOTEBOOK_HTML_CSP,
      });
      expect(served).toMatch(/<title>XSS &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      for (const cell of ['styled div', 'clobbering anchor', 'relative link under base']) {
        expect(served).toContain(cell);
      }
      expect(served).not.toMatch(/<script|<iframe|javascript:window/i);
      expect(loadedImages).toBeGreaterThanOrEqual(2);
      await assertNothingRan(opened);
      await opened.context.close();
    } finally {
      await platform.close();
    }
  });

  it('stops every payload with the sanitizer alone when the page is served without a CSP', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    // Prepare
    const opened = await openCorpus({});

    // Act
    const scriptsRun = await opened.page.evaluate(() => {
      // Proves the page itself would run script here, so a quiet result means the sanitizer held.
      const probe = document.createElement('div');
      probe.setAttribute('onclick', 'window.__probe = 1');
      probe.click();
      return (window as unknown as { __probe?: number }).__probe;
    });

    // Assess
    expect(scriptsRun).toBe(1);
    await assertNothingRan(opened);
    await opened.context.close();
  });
});
