import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { usePortal } from './support/portal-fixture.ts';
import { shown, signInWithToken } from './support/portal-steps.ts';

describe.skipIf(!chromiumAvailable())('a portal tab older than the deployed build', { timeout: 90_000 }, () => {
  const p = usePortal('stale-build');

  it('reloads once for a page chunk that is gone, then says the page could not be shown and keeps the rest of the portal usable', async () => {
    // Prepare: a tab signed in on Home; then the Runs page's chunk disappears, as after a deploy that replaced it.
    const page = await p.newPage();
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice, '/');
    await shown(page.getByRole('heading', { name: 'Your servers' }));
    await page.route(/\/assets\/runs-page-[^/]+\.js$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
    // The missing chunk's 404 and import failure, and the first attempt's page error just before the one reload
    // (the reload handler takes the import failure over, so the page module comes back undefined).
    p.allowErrors(/status of 404/, /Failed to fetch dynamically imported module/, /runs-page/, /reading 'default'/);
    const loads: string[] = [];
    page.on('load', () => loads.push(page.url()));

    // Act
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();

    // Assess
    await shown(page.getByRole('alert').filter({ hasText: 'This page could not be shown' }));
    expect(loads).toHaveLength(1);
    await shown(page.getByRole('navigation', { name: 'Main' }));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
    await shown(page.getByRole('heading', { name: 'Your servers' }));
    await p.shot(page, 'page-error');
  });
});
