import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { eventually, jupyterServerAvailable } from '../../functions/test/support/servers.ts';
import { usePortal } from './support/portal-fixture.ts';
import { PAGE_MS, shown, signInWithToken } from './support/portal-steps.ts';

// Jupyter takes a few seconds to answer on an idle machine, much longer when the other test files run beside it.
const LAUNCH_MS = 60_000;

describe.skipIf(!chromiumAvailable() || !jupyterServerAvailable())('notebook servers from the portal', () => {
  const p = usePortal('servers', {
    ORRERY_ACTIVITY_INTERVAL: '0.5',
    ORRERY_PROGRESS_WAIT_MS: '2000',
    ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
  });

  it('launches a server, shows its spawn progress until ready with an Open link whose token opens Jupyter, dismisses the progress leaving one Open link in its row, and stops it', {
    timeout: LAUNCH_MS + 60_000,
  }, async () => {
    // Prepare
    const page = await p.newPage();
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice);
    await shown(page.getByRole('heading', { name: 'Your servers' }));
    await shown(page.getByText('No servers yet'));
    await p.shot(page, 'home-empty');
    // Act
    await page.getByRole('textbox', { name: 'Server name' }).fill('e2e-dev');
    const profile = page.getByRole('combobox', { name: 'Profile' });
    const options = await profile.locator('option').allInnerTexts();
    await profile.selectOption({ label: options.find((o) => o.startsWith('Small CPU'))! });
    const launchForm = await page
      .locator('form', { has: page.getByRole('button', { name: 'Launch server' }) })
      .innerText();
    await page.getByRole('button', { name: 'Launch server' }).click();
    await shown(page.getByRole('log', { name: 'Spawn progress' }));
    await p.shot(page, 'home-launching');
    const open = page.getByRole('link', { name: 'Open e2e-dev' });
    await shown(open, LAUNCH_MS);
    const progress = await page.getByRole('log', { name: 'Spawn progress' }).innerText();
    const [href, target, rel] = [
      await open.first().getAttribute('href'),
      await open.first().getAttribute('target'),
      await open.first().getAttribute('rel'),
    ];
    // JupyterLab itself may not be installed here; the link's server and token answer Jupyter's REST API either way.
    const link = new URL(href!);
    const status = await fetch(
      `${link.origin}${link.pathname.replace(/lab$/, '')}api/status?token=${link.searchParams.get('token')}`,
    );
    const refused = await fetch(`${link.origin}${link.pathname.replace(/lab$/, '')}api/status`);
    await shown(page.getByText('Running', { exact: true }));
    await p.shot(page, 'home-running');
    const openBeforeDismiss = await open.count();
    await page.getByRole('button', { name: 'Dismiss progress of e2e-dev', exact: true }).click();
    await page.getByRole('log', { name: 'Spawn progress' }).waitFor({ state: 'detached', timeout: PAGE_MS });
    await shown(page.getByRole('table').getByRole('link', { name: 'Open e2e-dev' }));
    const openAfterDismiss = [
      await open.count(),
      await page.getByRole('table').getByRole('link', { name: 'Open e2e-dev' }).getAttribute('href'),
    ];
    await p.shot(page, 'home-dismissed');
    await page.getByRole('button', { name: 'Stop e2e-dev', exact: true }).click();
    // The page may ask to confirm (the contract does not name that button): answer yes, as a person would.
    const confirm = page.getByRole('button', { name: /^yes.*stop e2e-dev/i });
    if (
      await confirm.waitFor({ state: 'visible', timeout: 3_000 }).then(
        () => true,
        () => false,
      )
    )
      await confirm.click();
    const ended = await eventually(
      async () => {
        const res = await p.t.api('GET', '/servers/e2e-dev', p.t.tokens.alice);
        return res.status === 404 || ['STOPPED', 'FAILED'].includes(res.body.status) ? res : null;
      },
      'the server to stop',
      30_000,
    );
    await page.getByRole('link', { name: 'Open e2e-dev' }).waitFor({ state: 'detached', timeout: 15_000 });
    await p.shot(page, 'home-stopped');
    // Assess
    expect(options.length).toBeGreaterThan(0);
    expect(launchForm).toMatch(/0\.05/);
    expect(progress.trim().split('\n').length).toBeGreaterThan(1);
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*lab\?token=[^&]+$/);
    expect(target).toBe('_blank');
    expect(rel).toContain('noopener');
    expect([status.status, refused.status]).toEqual([200, 403]);
    expect(openBeforeDismiss).toBe(1);
    expect(openAfterDismiss).toEqual([1, href]);
    expect(ended.status === 404 || ended.body.status === 'STOPPED').toBe(true);
  });

  it('says where to open a running server when this tab did not launch it, and offers no link without its token', {
    timeout: LAUNCH_MS + 30_000,
  }, async () => {
    // Prepare
    const launched = await p.t.api('POST', '/servers', p.t.tokens.alice, { name: 'other-tab', profile: 'cpu-small' });
    await eventually(
      async () => (await p.t.api('GET', '/servers/other-tab', p.t.tokens.alice)).body.status === 'RUNNING',
      'the server to run',
      LAUNCH_MS,
    );
    const page = await p.newPage();
    // Act
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice);
    const row = page.getByRole('row', { name: /other-tab/ });
    await shown(row.getByText('Running', { exact: true }));
    await p.shot(page, 'home-other-tab');
    const [rowText, links] = [await row.innerText(), await page.getByRole('link', { name: /^Open other-tab/ }).count()];
    await p.t.api('DELETE', '/servers/other-tab', p.t.tokens.alice);
    // Assess
    expect(launched.status).toBe(202);
    expect(rowText).toContain('Open it from the tab that launched it');
    expect(links).toBe(0);
  });
});
