import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { eventually, jupyterServerAvailable, waitForServer } from '../../functions/test/support/servers.ts';
import { horizontalOverflow, installNameProbe, unlabelledControls } from './support/page-quality.ts';
import { usePortal } from './support/portal-fixture.ts';
import { PAGE_MS, shown, signInWithToken } from './support/portal-steps.ts';

const LAUNCH_MS = 60_000;
// The preview settles for a moment after typing before it asks the API.
const PREVIEW_MS = 10_000;
// 1280 pixels at 400% zoom (WCAG's reflow size); 200% zoom of a 640-pixel window.
const NARROW = { width: 320, height: 640 };

/** At a narrow width: what makes the page wider than the window, and the controls without a name. */
const narrowProblems = async (page: Page, shot: () => Promise<void>) => {
  const wide = page.viewportSize()!;
  await page.setViewportSize(NARROW);
  const overflow = await horizontalOverflow(page);
  const unnamed = await unlabelledControls(page);
  await shot();
  await page.setViewportSize(wide);
  // Tables scroll sideways inside their wrapper; the page itself must not.
  return { pageOverflows: overflow.scrollWidth > overflow.innerWidth ? overflow.offenders : [], unnamed };
};

/** The launch form's card on Home, where the Spark preview shows for a Spark profile. */
const launchCard = (page: Page) => page.getByRole('region', { name: 'Launch a server' });

/** Picks the launch form's profile whose option label starts with `name`. */
const pickProfile = async (page: Page, name: string) => {
  const profile = page.getByRole('combobox', { name: 'Profile' });
  // An option of a closed select is never "visible": wait for the profiles to arrive.
  await profile.locator('option', { hasText: name }).first().waitFor({ state: 'attached', timeout: PAGE_MS });
  const options = await profile.locator('option').allInnerTexts();
  await profile.selectOption({ label: options.find((o) => o.startsWith(name))! });
};

describe.skipIf(!chromiumAvailable())('Spark in the portal', { timeout: 3 * LAUNCH_MS }, () => {
  const p = usePortal('spark', {
    ORRERY_ACTIVITY_INTERVAL: '0.5',
    ORRERY_PROGRESS_WAIT_MS: '2000',
    ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
  });

  it('previews Spark on the pyspark profile with its $/h, and warns of the cost when executors are many and large', async () => {
    // Prepare
    const page = await p.newPage();
    await installNameProbe(page);
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice);
    await shown(page.getByRole('heading', { name: 'Your servers' }));
    const preview = page.getByRole('region', { name: 'Spark preview' });
    const cost = preview.getByRole('status').filter({ hasText: 'Costs' });
    // Act: the defaults first, then many executors.
    await pickProfile(page, 'Small CPU');
    const onSmall = await preview.count();
    await pickProfile(page, 'PySpark');
    await shown(cost, PREVIEW_MS);
    const defaults = await cost.innerText();
    const facts = await preview.getByRole('definition').allInnerTexts();
    await p.shot(page, 'preview-defaults');
    await preview.getByRole('textbox', { name: 'Executor cores' }).fill('12');
    await preview.getByRole('textbox', { name: 'Max executors' }).fill('200');
    await shown(preview.getByText('High cost:'), PREVIEW_MS);
    const high = await cost.innerText();
    const warning = await preview.locator('.spark-high-cost').innerText();
    const capped = await preview.locator('.spark-warnings').innerText();
    await preview.locator('summary', { hasText: 'Derived Spark conf' }).click();
    const confRows = await preview.getByRole('table', { name: 'Derived Spark conf' }).getByRole('row').allInnerTexts();
    const call = await preview.getByRole('region', { name: 'In a notebook' }).innerText();
    await launchCard(page).scrollIntoViewIfNeeded();
    await p.shot(page, 'preview-high-cost');
    // Act: an option the platform sets itself is dropped, with a warning naming it.
    await preview.getByRole('textbox', { name: 'Other Spark options' }).fill('spark.master=yarn');
    await shown(preview.getByRole('listitem').filter({ hasText: 'spark.master' }), PREVIEW_MS);
    const dropped = await preview.locator('.spark-warnings').innerText();
    // Act: a value the rules cannot read is refused beside its field, without asking the API.
    await preview.getByRole('textbox', { name: 'Executor cores' }).fill('two');
    await shown(preview.getByText('Cores are a whole number, at least 1.'));
    const invalid = await preview.getByRole('textbox', { name: 'Executor cores' }).getAttribute('aria-invalid');
    const narrow = await narrowProblems(page, () => p.shot(page, 'preview-narrow'));
    // Assess
    expect(onSmall).toBe(0);
    // 4 cores × 2 executors at most × $0.041 a core-hour, starting from none (dynamic allocation).
    expect(defaults).toBe('Costs $0.00/h now and at most $0.33/h, up to $7.87/day.');
    expect(facts).toContain('0 to 2 executors of 4 cores, 28 GB');
    // 200 executors are held to the rules' 50; 12 cores × 50 × $0.041 = $24.60/h, $590.40 a day: over $500.
    expect(high).toBe('Costs $0.00/h now and at most $24.60/h, up to $590.40/day.');
    expect(warning).toContain('$590.40/day');
    expect(capped).toMatch(/spark\.executor\.instances/);
    expect(confRows).toContain('spark.dynamicAllocation.maxExecutors\t50');
    expect(call).toContain('"spark.executor.instances": "200"');
    expect(dropped).toMatch(/spark\.master/);
    expect(invalid).toBe('true');
    expect(narrow).toEqual({ pageOverflows: [], unnamed: [] });
  });

  it.skipIf(!jupyterServerAvailable())(
    "lists a running server's Spark session with its UI link and $/h, and Stop ends it; Admin shows its team's cost",
    async () => {
      // Prepare: a running server and a Spark session made through the API, as the notebook helper would.
      const token = p.t.tokens.alice;
      await p.t.api('POST', '/servers', token, { name: 'e2e-spark', profile: 'pyspark' });
      const server = await waitForServer(p.t, 'e2e-spark', token, ['RUNNING', 'FAILED'], LAUNCH_MS);
      expect(server.status, server.reason).toBe('RUNNING');
      const created = await p.t.api('POST', '/spark/sessions', token, {
        server: 'e2e-spark',
        appName: 'e2e-etl',
        conf: { 'spark.executor.cores': '2', 'spark.executor.instances': '3' },
      });
      expect(created.status, created.text).toBe(201);
      const session = created.body;
      const page = await p.newPage();
      await installNameProbe(page);
      await signInWithToken(page, p.t.platform.url, token);
      const table = page.getByRole('table', { name: 'Spark sessions on e2e-spark' });
      // Act
      await shown(table.getByRole('rowheader', { name: /e2e-etl/ }));
      const row = await table.getByRole('row').nth(1).innerText();
      const ui = table.getByRole('link', { name: 'Spark UI of e2e-etl' });
      const [href, target] = [await ui.getAttribute('href'), await ui.getAttribute('target')];
      await p.shot(page, 'server-row-session');
      const narrow = await narrowProblems(page, () => p.shot(page, 'server-row-narrow'));
      await table.getByRole('button', { name: 'Stop Spark session e2e-etl' }).click();
      await table.getByRole('button', { name: 'Yes, stop Spark session e2e-etl' }).click();
      await shown(table.getByText('Stopped', { exact: true }));
      const stoppedRow = await table.getByRole('row').nth(1).innerText();
      await p.shot(page, 'server-row-stopped');
      const active = await p.t.api('GET', '/spark/sessions?status=ACTIVE', token);
      const record = await p.t.api('GET', `/spark/sessions/${session.id}`, token);
      // Act: the admin's view of the day's Spark cost.
      const admin = await p.newPage();
      await signInWithToken(admin, p.t.platform.url, p.t.tokens.root, '/admin');
      const byTeam = admin.getByRole('table', { name: 'Spark cost by team' });
      await shown(byTeam.getByRole('rowheader', { name: 'ads' }));
      const teamRow = await byTeam.getByRole('row').nth(1).innerText();
      await byTeam.scrollIntoViewIfNeeded();
      await p.shot(admin, 'admin-spark-cost');
      await p.t.api('DELETE', '/servers/e2e-spark', token);
      // Assess
      // 2 cores × 3 executors at most × $0.041 = $0.246, rounded to cents.
      expect(row).toContain('0 to 3 executors of 2 cores, 14 GB');
      expect(row).toContain('$0.00/h\nup to $0.25/h');
      expect(href).toBe(session.links.ui);
      expect(href).toMatch(/^http:\/\/127\.0\.0\.1:40\d\d\/$/);
      expect(target).toBe('_blank');
      expect(narrow).toEqual({ pageOverflows: [], unnamed: [] });
      expect(stoppedRow).toContain('Stopped on request');
      expect(stoppedRow).toMatch(/at most \$\d+\.\d\d in all/);
      expect(await table.getByRole('link', { name: 'Spark UI of e2e-etl' }).count()).toBe(0);
      expect(await table.getByRole('button', { name: /Stop Spark session/ }).count()).toBe(0);
      expect(active.body.items.map((s: { id: string }) => s.id)).not.toContain(session.id);
      expect(record.body.status).toBe('STOPPED');
      expect(teamRow.split('\t')).toEqual(['ads', '1', '0', expect.stringMatching(/^\$\d+\.\d\d\d?$/), '$0.00/h']);
      await eventually(
        async () => ((await p.t.api('GET', '/servers/e2e-spark', token)).body.status === 'STOPPED' ? true : null),
        'the server to stop',
        30_000,
      );
    },
  );
});
