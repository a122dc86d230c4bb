import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { jupyterKernelAvailable } from '../../functions/test/support/runs.ts';
import { usePortal } from './support/portal-fixture.ts';
import { createNotebook, pathOf, PAGE_MS, shown, signInWithToken, uniqueTitle } from './support/portal-steps.ts';
import type { TestPlatform } from '../../functions/test/support/platform.ts';

// A run starts a real kernel: a few seconds when warm, far more on a busy two-core machine.
const RUN_MS = 90_000;

/** Starts a run of a one-cell notebook whose cell is `code`; its id. */
const runCode = async (t: TestPlatform, title: string, code: string): Promise<string> => {
  const cell = { id: 'c1', cell_type: 'code', metadata: {}, source: code, outputs: [], execution_count: null };
  const content = JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [cell],
  });
  const made = await t.api('POST', '/notebooks', t.tokens.alice, { title, content });
  const run = await t.api('POST', `/notebooks/${made.body.notebook.id}/runs`, t.tokens.alice, {});
  if (run.status !== 202) throw new Error(`could not start a run: ${run.status}`);
  return run.body.id as string;
};

describe.skipIf(!chromiumAvailable() || !jupyterKernelAvailable())('running notebooks from the portal', () => {
  const p = usePortal('runs');

  it('runs a notebook with a changed parameter, shows it Completed and the changed value in the output', {
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
    await shown(page.getByRole('status').filter({ hasText: /Completed|Failed|Stopped/ }), RUN_MS);
    // Assess
    expect(defaults).toEqual(['eu-west-1', '7']);
    expect(
      await page
        .getByRole('status')
        .filter({ hasText: /Completed|Failed|Stopped/ })
        .first()
        .innerText(),
    ).toContain('Status: Completed');
    await shown(
      page.frameLocator('iframe[title="Output notebook"]').getByText('Reading 3 days of sales in ap-south-1'),
    );
    await shown(page.getByRole('link', { name: 'Download output' }));
    await shown(page.getByRole('link', { name: 'Rerun with changes' }));
    const run = await p.t.api('GET', `/runs/${pathOf(page).split('/')[2]}`, p.t.tokens.alice);
    expect(run.body).toMatchObject({ status: 'COMPLETED', notebookId: id, notebookTitle: title });
    await p.shot(page, 'run-completed');
    // The Runs table names the notebook by its title, linking to the version that ran; the run by when it started.
    const runPath = pathOf(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs', exact: true }).click();
    await shown(page.getByRole('heading', { name: 'Your runs' }));
    const listed = page.getByRole('table').getByRole('link', { name: title, exact: true });
    await shown(listed);
    await p.shot(page, 'runs-list');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: title, exact: true }) });
    expect(await listed.count()).toBe(1);
    expect(await listed.getAttribute('href')).toBe(`/notebooks/${id}?version=1`);
    expect(await row.getByRole('rowheader').getByRole('link').getAttribute('href')).toBe(runPath);
    expect(await row.innerText()).not.toContain(id);
    expect(await row.getByRole('cell').nth(1).innerText()).toBe('Completed');
  });

  it('shows a long output whole, the frame as tall as the output notebook', { timeout: RUN_MS + 30_000 }, async () => {
    // Prepare
    const id = await runCode(p.t, uniqueTitle('Long output'), 'for i in range(150):\n    print(f"line {i + 1}")');
    const page = await p.newPage();
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice, `/runs/${id}`);
    await shown(page.getByRole('status').filter({ hasText: 'Status: Completed' }), RUN_MS);
    const output = page.frameLocator('iframe[title="Output notebook"]');
    // Act
    await shown(output.getByText('line 150'));
    await page.waitForFunction(
      () => {
        const f = document.querySelector<HTMLIFrameElement>('iframe[title="Output notebook"]');
        const root = f?.contentDocument?.documentElement;
        return !!root && root.scrollHeight > 1000 && Math.abs(f!.clientHeight - root.scrollHeight) <= 1;
      },
      undefined,
      { timeout: PAGE_MS },
    );
    const sizes = await page.locator('iframe[title="Output notebook"]').evaluate((f: HTMLIFrameElement) => ({
      inner: f.contentWindow!.innerHeight,
      document: f.contentDocument!.documentElement.scrollHeight,
    }));
    await p.shot(page, 'run-long-output');
    // Assess: the last line is inside the frame's own height, with no scrollbar of its own.
    expect(sizes.document).toBeLessThanOrEqual(sizes.inner);
  });

  it('asks before cancelling a run, and cancels only on Yes', { timeout: RUN_MS + 30_000 }, async () => {
    // Prepare
    const id = await runCode(p.t, uniqueTitle('Slow run'), 'import time\ntime.sleep(300)');
    const page = await p.newPage();
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice, `/runs/${id}`);
    await shown(page.getByRole('status').filter({ hasText: 'Status: In progress' }), RUN_MS);
    // Act
    await page.getByRole('button', { name: 'Cancel run' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm cancelling the run' });
    await shown(confirm);
    const focused = await page.evaluate(() => document.activeElement?.textContent);
    await p.shot(page, 'run-cancel-confirm');
    await confirm.getByRole('button', { name: 'Keep it running' }).click();
    const kept = (await p.t.api('GET', `/runs/${id}`, p.t.tokens.alice)).body.status;
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await confirm.getByRole('button', { name: 'Yes, cancel the run' }).click();
    await shown(page.getByRole('status').filter({ hasText: /Status: Stopp(ing|ed)/ }));
    // Assess
    expect(focused).toBe('Yes, cancel the run');
    expect(kept).toBe('IN_PROGRESS');
    expect((await p.t.api('GET', `/runs/${id}`, p.t.tokens.alice)).body.stopRequestedBy).toBe('alice');
    await shown(page.getByRole('status').filter({ hasText: 'Status: Stopped' }), RUN_MS);
    await p.shot(page, 'run-cancelled');
    // Who stopped it is said once, in the Stopped card, not again beside the status.
    expect(await page.getByRole('status').filter({ hasText: 'stop requested by' }).count()).toBe(0);
    expect(await page.getByText(/(stopped|stop requested) by alice/i).count()).toBe(1);
  });
});
