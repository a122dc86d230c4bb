import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { usePortal } from './support/portal-fixture.ts';
import { pathOf, PAGE_MS, shown, signInHere, signInWithToken } from './support/portal-steps.ts';

describe.skipIf(!chromiumAvailable())('signing in to the portal', { timeout: 90_000 }, () => {
  const p = usePortal('sign-in');

  it('signs the admin in with the one-time login link and lands on Home with their id in the header', async () => {
    // Prepare
    const page = await p.newPage();
    // Act
    await page.goto(p.t.platform.loginLink);
    await shown(page.getByRole('heading', { name: 'Your servers' }));
    // Assess
    expect(pathOf(page)).toBe('/');
    expect(page.url()).not.toContain('code=');
    await shown(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }));
    await shown(page.getByRole('banner').getByText('admin', { exact: true }));
    await shown(page.getByRole('button', { name: 'Sign out' }));
    await p.shot(page, 'home');
  });

  it('refuses a login link that was already spent, with an alert on the sign-in page', async () => {
    // Prepare
    const link = `${p.t.platform.url}/login#code=${p.t.platform.users.createLoginCode('admin', new Date())}`;
    const first = await p.newPage();
    await first.goto(link);
    await shown(first.getByRole('heading', { name: 'Your servers' }));
    const second = await p.newPage();
    p.allowErrors(/status of 401 .*\/auth\/local\/exchange/);
    // Act
    await second.goto(link);
    // Assess
    await shown(second.getByRole('alert'));
    expect(await second.getByRole('alert').innerText()).toMatch(/already used|expired/);
    expect(pathOf(second)).toBe('/login');
    await p.shot(second, 'login-link-spent');
  });

  it('sends a visitor without a session to /login?next=… and back there after signing in with a pasted token', async () => {
    // Prepare
    const page = await p.newPage();
    // Act
    await page.goto(`${p.t.platform.url}/runs?status=FAILED`);
    await page.waitForURL((u) => u.pathname === '/login', { timeout: PAGE_MS });
    const asked = pathOf(page);
    await p.shot(page, 'login');
    await signInHere(page, p.t.tokens.alice);
    // Assess
    expect(asked).toBe(`/login?next=${encodeURIComponent('/runs?status=FAILED')}`);
    await shown(page.getByRole('heading', { name: 'Your runs' }));
    expect(pathOf(page)).toBe('/runs?status=FAILED');
  });

  it('returns to /login?next=… when the token expires while a page is open, and back after signing in again', async () => {
    // Prepare: the portal leaves 15 s before `exp`, so 30 s leaves 15 to sign in and open a page, even on a loaded
    // machine.
    const shortLived = await p.t.platform.users.tokenFor('alice', 30);
    const page = await p.newPage();
    await signInWithToken(page, p.t.platform.url, shortLived, '/notebooks');
    await shown(page.getByRole('heading', { name: 'Folium' }));
    // Act
    await page.waitForURL((u) => u.pathname === '/login', { timeout: 40_000 });
    const asked = pathOf(page);
    await p.shot(page, 'session-expired');
    await signInHere(page, p.t.tokens.alice);
    // Assess
    expect(asked).toBe(`/login?next=${encodeURIComponent('/notebooks')}`);
    await shown(page.getByRole('heading', { name: 'Folium' }));
    expect(pathOf(page)).toBe('/notebooks');
  });

  it('returns to /login?next=… when the API answers 401 to a kept token it no longer accepts', async () => {
    // Prepare: a token signed by some other issuer, well-formed and unexpired, kept as if signed in earlier.
    const [header, payload] = p.t.tokens.alice.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(86)}`;
    const page = await p.newPage();
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice);
    await page.evaluate((token) => {
      for (const key of Object.keys(localStorage)) {
        const value = localStorage.getItem(key) ?? '';
        if (value.includes('eyJ'))
          localStorage.setItem(key, value.replace(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, token));
      }
    }, forged);
    p.allowErrors(/status of 401/);
    // Act
    await page.goto(`${p.t.platform.url}/runs`);
    await page.waitForURL((u) => u.pathname === '/login', { timeout: PAGE_MS });
    // Assess
    expect(pathOf(page)).toBe(`/login?next=${encodeURIComponent('/runs')}`);
  });

  it('shows the admin the usage tables, and a non-admin no Admin link and a not-allowed state', async () => {
    // Prepare
    const admin = await p.newPage();
    const alice = await p.newPage();
    await signInWithToken(admin, p.t.platform.url, p.t.tokens.root);
    await signInWithToken(alice, p.t.platform.url, p.t.tokens.alice);
    p.allowErrors(/status of 403/);
    // Act
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await alice.goto(`${p.t.platform.url}/admin`);
    // Assess
    await shown(admin.getByRole('heading', { name: 'Admin' }));
    for (const table of ['Usage by pool', 'Active servers', 'Recent culls'])
      await shown(admin.getByRole('table', { name: table }));
    await p.shot(admin, 'admin');
    await shown(alice.getByText(/not allowed/i));
    expect(await alice.getByRole('table', { name: 'Usage by pool' }).count()).toBe(0);
    await shown(alice.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Folium' }));
    expect(await alice.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await p.shot(alice, 'admin-not-allowed');
  });
});
