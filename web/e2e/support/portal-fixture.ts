import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { DEFAULT_WEB_DIST } from '../../../functions/src/handlers/local/portal-files.ts';
import { launchChromium } from '../../../functions/test/support/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../../../functions/test/support/platform.ts';
import { BUILD_TIMEOUT_MS, ensurePortalBuilt } from './portal-build.ts';

/** Where every test saves full-page screenshots; CI keeps the folder as an artifact. */
export const SCREENSHOTS = resolve(import.meta.dirname, '..', 'screenshots');

/** A browser's complaint: a console error or an uncaught exception, and where it came from. */
export interface BrowserError {
  text: string;
  url: string;
}

/** What a portal test gets: the platform, a browser, and helpers for the current test. */
export interface PortalFixture {
  t: TestPlatform;
  browser: Browser;
  /** A fresh page in a fresh context (empty storage), watched for console errors. */
  newPage(): Promise<Page>;
  /** Saves a full-page PNG named `<suite>-<name>.png`. */
  shot(page: Page, name: string): Promise<void>;
  /**
   * Declares console errors this test causes on purpose (Chromium logs every 4xx answer to fetch as
   * "Failed to load resource"); each pattern is matched against the message and its URL.
   */
  allowErrors(...patterns: RegExp[]): void;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);

/**
 * Registers the suite's hooks: builds the portal if stale, starts the local platform serving it and
 * Chromium, gives each test fresh contexts, and fails the test on any console error or page error
 * it did not declare. Call once at the top of a describe block.
 */
export const usePortal = (suite: string, env: Record<string, string> = {}): PortalFixture => {
  let contexts: BrowserContext[] = [];
  let errors: BrowserError[] = [];
  let allowed: RegExp[] = [];
  const fixture = {
    newPage: async () => {
      const context = await fixture.browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (m) => void (m.type() === 'error' && errors.push({ text: m.text(), url: m.location().url })));
      page.on('pageerror', (e) => void errors.push({ text: `uncaught: ${e.stack ?? e.message}`, url: page.url() }));
      // A confirm() before a destructive action is answered yes, as a person clicking through would.
      page.on('dialog', (d) => void d.accept());
      return page;
    },
    shot: async (page: Page, name: string) => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      // A srcdoc frame can hold its text before it has painted; give the page a moment so the picture shows it.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      await page.waitForTimeout(250);
      await page.screenshot({ path: join(SCREENSHOTS, `${slug(suite)}-${slug(name)}.png`), fullPage: true });
    },
    allowErrors: (...patterns: RegExp[]) => void allowed.push(...patterns),
  } as PortalFixture;

  beforeAll(async () => {
    ensurePortalBuilt();
    fixture.t = await startTestPlatform(undefined, { ORRERY_WEB_DIST: DEFAULT_WEB_DIST, ...env });
    fixture.browser = await launchChromium();
  }, BUILD_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    await fixture.browser?.close();
    await fixture.t?.close();
  });
  beforeEach(() => {
    errors = [];
    allowed = [];
  });
  afterEach(async ({ task }) => {
    // The pages are still open here (vitest calls afterEach before onTestFailed), so a failure leaves a picture.
    if (task.result?.state === 'fail') {
      const pages = contexts.flatMap((c) => c.pages());
      for (const [i, page] of pages.entries())
        await fixture.shot(page, `FAILED-${slug(task.name).slice(0, 60)}-${i}`).catch(() => undefined);
    }
    for (const c of contexts) await c.close();
    contexts = [];
    const unexpected = errors.filter((e) => !allowed.some((re) => re.test(`${e.text} ${e.url}`)));
    expect(unexpected, 'console errors or page errors in the browser').toEqual([]);
  });
  return fixture;
};
