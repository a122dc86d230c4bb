import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { jupyterKernelAvailable } from '../../functions/test/support/runs.ts';
import { installNameProbe, unlabelledControls } from './support/page-quality.ts';
import { usePortal } from './support/portal-fixture.ts';
import { createNotebook, PAGE_MS, pathOf, shown, signInWithToken, uniqueTitle } from './support/portal-steps.ts';

// A run starts a real kernel: a few seconds when warm, far more on a busy two-core machine.
const RUN_MS = 90_000;

/** The preview's due times, once its list holds five that all contain `text` and differ from `before`. */
const dueTimes = async (page: Page, preview: Locator, text: string, before: string[] = []): Promise<string[]> => {
  await page.waitForFunction(
    ([label, wanted, old]) => {
      const region = [...document.querySelectorAll('section')].find(
        (s) => s.querySelector('h3')?.textContent === label,
      );
      const items = [...(region?.querySelectorAll('li') ?? [])].map((li) => (li as HTMLElement).innerText);
      return items.length === 5 && items.every((t) => t.includes(wanted)) && items.join('\n') !== old.join('\n');
    },
    ['Next due times', text, before] as const,
    { timeout: PAGE_MS },
  );
  return preview.getByRole('listitem').allInnerTexts();
};

describe.skipIf(!chromiumAvailable() || !jupyterKernelAvailable())('scheduling notebooks from the portal', () => {
  const p = usePortal('schedules');

  it('schedules a notebook with a changed parameter, runs it now to Completed, pauses it and deletes it', {
    timeout: RUN_MS + 90_000,
  }, async () => {
    // Prepare
    const title = uniqueTitle('Sales report');
    const name = uniqueTitle('Monday sales');
    const id = await createNotebook(p.t, p.t.tokens.alice, { title, file: 'parameters-basic.ipynb' });
    const page = await p.newPage();
    await installNameProbe(page);
    // The preview of a bad expression answers 400, which Chromium logs.
    p.allowErrors(/status of 400/);
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice, `/notebooks/${id}`);
    await shown(page.getByRole('heading', { level: 1, name: title }));

    // Act: open the form; the preview starts daily at 09:00.
    await page.getByRole('link', { name: 'Schedule this notebook' }).click();
    await shown(page.getByRole('heading', { name: `Schedule ${title}` }));
    const preview = page.getByRole('region', { name: 'Next due times' });
    const expression = page.getByLabel('Expression', { exact: true });
    const daily = await dueTimes(page, preview, '09:00');
    // Act: a zone and a preset, then a bad expression, then the one kept.
    await page.getByLabel('Time zone', { exact: true }).fill('Asia/Tokyo');
    await page.getByRole('button', { name: 'Weekdays at 09:00' }).click();
    const weekdays = await dueTimes(page, preview, '09:00', daily);
    const preset = await expression.inputValue();
    await expression.fill('cron(0 9 * * *)');
    await shown(page.getByText('Fix the expression or zone to see when it runs.'));
    const invalid = await expression.getAttribute('aria-invalid');
    await p.shot(page, 'form-bad-expression');
    const problem = await page
      .locator(`[id="${errorId(await expression.getAttribute('aria-describedby'))}"]`)
      .innerText();
    await expression.fill('cron(30 6 ? * MON *)');
    const mondays = await dueTimes(page, preview, '06:30', weekdays);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('days', { exact: true }).fill('3');
    const unnamed = await unlabelledControls(page);
    await p.shot(page, 'form');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.waitForURL((u) => /^\/schedules\/sch-[0-9a-z]+$/.test(u.pathname), { timeout: PAGE_MS });
    const scheduleId = pathOf(page).split('/')[2]!;
    await shown(page.getByRole('heading', { level: 1, name }));
    const settings = await page.getByRole('region', { name: 'Settings' }).innerText();
    const next = await page.getByRole('region', { name: 'Next due times' }).getByRole('listitem').allInnerTexts();

    // Act: run it now, and watch its run end.
    await page.getByRole('button', { name: 'Run now', exact: true }).click();
    const history = page.getByRole('table', { name: 'History' });
    await shown(history.getByRole('cell', { name: 'Run now', exact: true }));
    await shown(history.locator('.badge', { hasText: /Completed|Failed|Stopped/ }), RUN_MS);
    const fireRow = await history.getByRole('row').nth(1).innerText();
    const runHref = await history.getByRole('link').first().getAttribute('href');
    await p.shot(page, 'schedule');
    const runs = await p.t.api('GET', `/runs?schedule=${scheduleId}`, p.t.tokens.alice);

    // Act: pause it from the Schedules page, then delete it there.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedules', exact: true }).click();
    await shown(page.getByRole('heading', { name: 'Your schedules' }));
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    await shown(row);
    const notebookHref = await row.getByRole('link', { name: title, exact: true }).getAttribute('href');
    await row.getByRole('button', { name: `Pause ${name}` }).click();
    await shown(row.getByRole('button', { name: `Resume ${name}` }));
    const paused = (await p.t.api('GET', `/schedules/${scheduleId}`, p.t.tokens.alice)).body.paused;
    const rowText = await row.innerText();
    await p.shot(page, 'schedules-page');
    await row.getByRole('button', { name: `Delete ${name}` }).click();
    await row
      .getByRole('group', { name: `Confirm deleting ${name}` })
      .getByRole('button', { name: 'Yes, delete it' })
      .click();
    await row.waitFor({ state: 'detached', timeout: PAGE_MS });

    // Assess: the preview followed every change, and said what was wrong beside the expression.
    expect(daily).toHaveLength(5);
    expect(preset).toBe('cron(0 9 ? * MON-FRI *)');
    expect(weekdays.some((t) => /Sat|Sun/.test(t))).toBe(false);
    expect(invalid).toBe('true');
    expect(problem.length).toBeGreaterThan(5);
    expect(mondays.every((t) => t.startsWith('Mon'))).toBe(true);
    expect(unnamed).toEqual([]);
    // Assess: the schedule kept what was typed, and its page says so.
    expect(settings).toContain('cron(30 6 ? * MON *) in Asia/Tokyo');
    expect(settings).toContain('days = 3');
    expect(next).toEqual(mondays);
    // Assess: Run now started a run as alice with the schedule's parameter, which completed.
    expect(fireRow).toContain('Completed');
    expect(runs.status).toBe(200);
    expect(runs.body.items).toHaveLength(1);
    expect(runs.body.items[0]).toMatchObject({
      status: 'COMPLETED',
      owner: 'alice',
      scheduleId,
      parameters: { days: 3 },
    });
    expect(runHref).toBe(`/runs/${runs.body.items[0].id}`);
    // Assess: the list links the notebook, shows the pause, and the delete removed it.
    expect(notebookHref).toBe(`/notebooks/${id}`);
    expect(paused).toBe(true);
    expect(rowText).toContain('Paused');
    expect((await p.t.api('GET', `/schedules/${scheduleId}`, p.t.tokens.alice)).status).toBe(404);
  });

  it('pages the schedules 25 at a time: Next page shows the rest, First page goes back', async () => {
    // Prepare: 26 schedules of one notebook, made through the API
    const id = await createNotebook(p.t, p.t.tokens.bob, {
      title: uniqueTitle('Paged'),
      file: 'parameters-basic.ipynb',
    });
    for (let i = 0; i < 26; i += 1) {
      const res = await p.t.api('POST', `/notebooks/${id}/schedules`, p.t.tokens.bob, {
        name: `paged ${String(i).padStart(2, '0')}`,
        expression: 'cron(0 9 ? * MON-FRI *)',
        timezone: 'UTC',
      });
      expect(res.status, res.text).toBe(201);
    }
    const page = await p.newPage();
    await signInWithToken(page, p.t.platform.url, p.t.tokens.bob, '/schedules');
    const table = page.getByRole('table', { name: 'Your schedules' });
    const pager = page.getByRole('navigation', { name: 'Pages of schedules' });
    await shown(table);

    // Rows below the header, once the table shows `n` of them.
    const rowsBecome = (n: number) =>
      expect.poll(async () => (await table.getByRole('row').count()) - 1, { timeout: PAGE_MS }).toBe(n);
    await rowsBecome(25);
    const onFirst = await pager.getByRole('button').allInnerTexts();

    // Act
    await pager.getByRole('button', { name: 'Next page' }).click();

    // Assess: the 26th alone, and only the way back
    await rowsBecome(1);
    expect(page.url()).toContain('cursor=');
    expect(await pager.getByRole('button').allInnerTexts()).toEqual(['First page']);
    expect(onFirst).toEqual(['Next page']);

    // Act
    await pager.getByRole('button', { name: 'First page' }).click();

    // Assess
    await rowsBecome(25);
    expect(page.url()).not.toContain('cursor=');
    expect(await pager.getByRole('button').allInnerTexts()).toEqual(['Next page']);
  });
});

/** The id of a field's error among its aria-describedby ids. */
const errorId = (describedBy: string | null): string =>
  (describedBy ?? '').split(' ').find((i) => i.endsWith('-error')) ?? 'no-error';
