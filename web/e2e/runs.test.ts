import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { jupyterKernelAvailable } from '../../functions/test/support/runs.ts';
import { usePortal } from './support/portal-fixture.ts';
import { createNotebook, pathOf, PAGE_MS, shown, signInWithToken, uniqueTitle } from './support/portal-steps.ts';

// A run starts a real kernel: a few seconds when warm, far more on a busy two-core machine.
const RUN_MS = 90_000;

describe.skipIf(!chromiumAvailable() || !jupyterKernelAvailable())('running notebooks from the portal', () => {
  const p = usePortal('runs');

  it('runs a notebook with a changed parameter, shows COMPLETED and the changed value in the output', {
    timeout: RUN_MS + 30_000,
  }, async () => {
    // Prepare
    const title = uniqueTitle('Sales run');
    const id = await createNotebook(p.t, p.t.tokens.alice, { title, file: 'parameters-basic.ipynb' });
    const page = await p.newPage();
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice, `/notebooks/${id}`);
    await shown(page.getByRole('heading', { level: 1, name: title }));
    // Act
    await page.getByRole('link', { name: 'Run this notebook' }).click();
    await shown(page.getByRole('heading', { name: `Run ${title}` }));
    const region = page.getByLabel('region', { exact: true });
    const days = page.getByLabel('days', { exact: true });
    const defaults = [await region.inputValue(), await days.inputValue()];
    await region.fill('ap-south-1');
    await days.fill('3');
    await p.shot(page, 'run-form');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL((u) => /^\/runs\/[^/]+$/.test(u.pathname), { timeout: PAGE_MS });
    await shown(page.getByRole('heading', { name: `Run of ${title}` }));
    await p.shot(page, 'run-active');
    await shown(page.getByRole('status').filter({ hasText: /COMPLETED|FAILED|STOPPED/ }), RUN_MS);
    // Assess
    expect(defaults).toEqual(['eu-west-1', '7']);
    expect(
      await page
        .getByRole('status')
        .filter({ hasText: /COMPLETED|FAILED|STOPPED/ })
        .first()
        .innerText(),
    ).toContain('COMPLETED');
    await shown(
      page.frameLocator('iframe[title="Output notebook"]').getByText('Reading 3 days of sales in ap-south-1'),
    );
    await shown(page.getByRole('link', { name: 'Download output' }));
    await shown(page.getByRole('link', { name: 'Rerun with changes' }));
    const run = await p.t.api('GET', `/runs/${pathOf(page).split('/')[2]}`, p.t.tokens.alice);
    expect(run.body).toMatchObject({ status: 'COMPLETED', notebookId: id, notebookTitle: title });
    await p.shot(page, 'run-completed');
    // The Runs table names the run by its notebook's title, and that link still leads to the run.
    const runPath = pathOf(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs', exact: true }).click();
    await shown(page.getByRole('heading', { name: 'Your runs' }));
    const listed = page.getByRole('table').getByRole('link', { name: title, exact: true });
    await shown(listed);
    await p.shot(page, 'runs-list');
    expect(await listed.count()).toBe(1);
    expect(await listed.getAttribute('href')).toBe(runPath);
  });
});
