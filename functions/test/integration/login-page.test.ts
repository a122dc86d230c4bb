import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';
import { callApi, startTestPlatform, type TestPlatform } from '../support/platform.ts';

describe.skipIf(!chromiumAvailable())('the one-time login link in a browser', () => {
  let t: TestPlatform;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestPlatform();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs the admin in: the page’s own script runs under its CSP, spends the code once and shows a working token', async () => {
    // Prepare
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    // Act
    await page.goto(t.platform.loginLink);
    await page.locator('#done').waitFor({ state: 'visible', timeout: 10_000 });
    const token = await page.locator('#token').inputValue();
    // Assess
    expect(errors).toEqual([]);
    expect(page.url()).not.toContain('code=');
    expect((await callApi(t.platform.apiUrl, 'GET', '/me', token)).body).toMatchObject({ id: 'admin', admin: true });
    // A fresh load: from /login the link would only change the fragment, and the page would not run again.
    await page.goto('about:blank');
    await page.goto(t.platform.loginLink);
    await page.locator('#status.err').waitFor({ timeout: 10_000 });
    expect(await page.locator('#status').textContent()).toMatch(/already used/);
  });
});
