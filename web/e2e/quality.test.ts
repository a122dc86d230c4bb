import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { jupyterKernelAvailable, waitForRun } from '../../functions/test/support/runs.ts';
import { eventually, jupyterServerAvailable } from '../../functions/test/support/servers.ts';
import {
  horizontalOverflow,
  installLayoutShiftProbe,
  installNameProbe,
  layoutShift,
  tabTo,
  unlabelledControls,
} from './support/page-quality.ts';
import { usePortal } from './support/portal-fixture.ts';
import { createNotebook, PAGE_MS, shown, signInWithToken, uniqueTitle } from './support/portal-steps.ts';
import { ADS_ANALYST_ROLE } from './support/test-roles.ts';

// The Web Vitals "good" threshold for Cumulative Layout Shift.
const GOOD_CLS = 0.1;
// Seeding runs a real kernel: seconds when warm, far more on a busy two-core machine.
const RUN_MS = 90_000;
// A role alice's team holds, so the Credentials page shows its table and form (listing roles needs no AWS).
const ROLES = [ADS_ANALYST_ROLE];

/** The launch form on Home; its profile facts (the hourly price) show once profiles have loaded. */
const launchForm = (page: Page) => page.locator('form', { has: page.getByRole('button', { name: 'Launch server' }) });

/** One page of the portal: where it is, who may see it, and what shows that its data has arrived. */
interface PortalPage {
  name: string;
  path: string;
  admin?: boolean;
  arrived: (page: Page) => Promise<void>;
}

describe.skipIf(!chromiumAvailable() || !jupyterKernelAvailable())(
  'portal quality: layout, zoom, labels and keyboard',
  { timeout: 180_000 },
  () => {
    const p = usePortal('quality', { ORRERY_ROLES: JSON.stringify(ROLES) });
    const title = uniqueTitle('Quality sales');
    const otherTitle = uniqueTitle('Quality other');
    let pages: PortalPage[] = [];

    beforeAll(async () => {
      const notebookId = await createNotebook(p.t, p.t.tokens.alice, {
        title,
        file: 'parameters-basic.ipynb',
        tags: ['quality'],
      });
      await createNotebook(p.t, p.t.tokens.alice, { title: otherTitle });
      const started = await p.t.api('POST', `/notebooks/${notebookId}/runs`, p.t.tokens.alice, {
        parameters: { region: 'ap-south-1', days: 3 },
      });
      if (started.status !== 202) throw new Error(`could not start a run: ${started.status}`);
      const run = await waitForRun(p.t, started.body.id, p.t.tokens.alice, undefined, RUN_MS);
      if (run.status !== 'COMPLETED') throw new Error(`the seeded run ended ${run.status}`);
      const schedule = await p.t.api('POST', `/notebooks/${notebookId}/schedules`, p.t.tokens.alice, {
        name: `${title} weekly`,
        expression: 'cron(0 9 ? * MON *)',
        timezone: 'Europe/Berlin',
        parameters: { days: 3 },
        paused: true,
      });
      if (schedule.status !== 201) throw new Error(`could not create a schedule: ${schedule.status}`);
      const fire = await p.t.api('POST', `/schedules/${schedule.body.id}/trigger`, p.t.tokens.alice);
      if (!fire.body.runId) throw new Error(`the schedule's run did not start: ${fire.status}`);
      await waitForRun(p.t, fire.body.runId, p.t.tokens.alice, undefined, RUN_MS);
      pages = [
        {
          name: 'Home',
          path: '/',
          arrived: async (page) => {
            await shown(page.getByRole('heading', { name: 'Your servers' }));
            await shown(page.getByText('No servers yet'));
            await shown(launchForm(page).getByText('Hourly price'));
          },
        },
        {
          name: 'Folium',
          path: '/notebooks',
          arrived: async (page) => {
            await shown(page.getByRole('heading', { name: 'Folium' }));
            await shown(page.getByRole('listitem').getByRole('link', { name: title }));
          },
        },
        {
          name: 'Notebook',
          path: `/notebooks/${notebookId}`,
          arrived: async (page) => {
            await shown(page.getByRole('heading', { level: 1, name: title }));
            await shown(page.getByRole('table', { name: 'Parameters' }).getByText('region', { exact: true }));
            await shown(page.getByRole('list', { name: 'Versions' }).getByRole('listitem'));
            await shown(page.getByRole('list', { name: 'Runs' }).getByRole('listitem'));
            await shown(page.frameLocator('iframe[title="Rendered notebook"]').getByText('Daily sales report'));
          },
        },
        {
          name: 'Run form',
          path: `/notebooks/${notebookId}/run`,
          arrived: async (page) => {
            await shown(page.getByRole('heading', { name: `Run ${title}` }));
            await shown(page.getByLabel('region', { exact: true }));
            await shown(page.getByRole('button', { name: 'Start run' }));
          },
        },
        {
          name: 'Run',
          path: `/runs/${run.id}`,
          arrived: async (page) => {
            await shown(page.getByRole('heading', { name: `Run of ${title}` }));
            await shown(page.getByRole('status').filter({ hasText: 'Status: Completed' }));
            await shown(
              page.frameLocator('iframe[title="Output notebook"]').getByText('Reading 3 days of sales in ap-south-1'),
            );
          },
        },
        {
          name: 'Runs',
          path: '/runs',
          arrived: async (page) => {
            await shown(page.getByRole('heading', { name: 'Your runs' }));
            await shown(page.getByRole('table').getByRole('link').first());
          },
        },
        {
          name: 'Schedule form',
          path: `/notebooks/${notebookId}/schedule`,
          arrived: async (page) => {
            await shown(page.getByRole('heading', { name: `Schedule ${title}` }));
            await shown(page.getByLabel('region', { exact: true }));
            await shown(page.getByRole('region', { name: 'Next due times' }).getByRole('listitem'));
          },
        },
        {
          name: 'Schedules',
          path: '/schedules',
          arrived: async (page) => {
            await shown(page.getByRole('heading', { name: 'Your schedules' }));
            await shown(page.getByRole('table').getByRole('link', { name: `${title} weekly` }));
          },
        },
        {
          name: 'Schedule',
          path: `/schedules/${schedule.body.id}`,
          arrived: async (page) => {
            await shown(page.getByRole('heading', { name: `${title} weekly` }));
            await shown(page.getByRole('table', { name: 'History' }).getByText('Completed'));
          },
        },
        {
          name: 'Credentials',
          path: '/credentials',
          arrived: async (page) => {
            await shown(page.getByRole('heading', { name: 'Credentials', level: 1 }));
            await shown(
              page.getByRole('table', { name: 'Your AWS roles' }).getByRole('rowheader', { name: 'ads-analyst' }),
            );
            await shown(page.getByRole('button', { name: 'Get credentials' }));
            await shown(page.getByText('No credentials issued to you yet'));
          },
        },
        {
          name: 'Admin',
          path: '/admin',
          admin: true,
          arrived: async (page) => {
            await shown(page.getByRole('heading', { name: 'Admin' }));
            for (const table of ['Usage by pool', 'Active servers', 'Recent culls'])
              await shown(page.getByRole('table', { name: table }));
          },
        },
      ];
    }, RUN_MS + 30_000);

    /** A page signed in as the page's user (admin for Admin, alice otherwise), at the given viewport. */
    const signedIn = async (admin: boolean, viewport?: { width: number; height: number }) => {
      const page = await p.newPage();
      // Init scripts run in every frame; the notebook frames' sandbox (rightly) refuses them, and Chromium says so.
      p.allowErrors(/^Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/);
      if (viewport) await page.setViewportSize(viewport);
      await installLayoutShiftProbe(page);
      await installNameProbe(page);
      await signInWithToken(page, p.t.platform.url, admin ? p.t.tokens.root : p.t.tokens.alice);
      return page;
    };

    /**
     * Loads each page fresh (a full document load, not a client-side navigation) and hands it over once its data is
     * shown.
     */
    const visitEach = async (
      viewport: { width: number; height: number } | undefined,
      visit: (portalPage: PortalPage, page: Page) => Promise<void>,
    ) => {
      const users = { alice: await signedIn(false, viewport), admin: await signedIn(true, viewport) };
      for (const portalPage of pages) {
        const page = portalPage.admin ? users.admin : users.alice;
        await page.goto(`${p.t.platform.url}${portalPage.path}`);
        await portalPage.arrived(page);
        await visit(portalPage, page);
      }
    };

    it('keeps cumulative layout shift under 0.1 on every page while its data arrives', async () => {
      // Prepare
      const figures: Record<string, { cls: number; sources: string[] }> = {};
      // Act
      await visitEach(undefined, async (portalPage, page) => {
        // Late arrivals (a frame's height, a poll) get a moment to shift the page if they are going to.
        await page.waitForTimeout(750);
        const cls = await layoutShift(page);
        figures[portalPage.name] = {
          cls: Number(cls.total.toFixed(4)),
          sources: cls.shifts.flatMap((s) => s.sources.map((n) => `${n} ${s.value.toFixed(4)}`)),
        };
        await p.shot(page, `cls-${portalPage.name}`);
      });
      console.log(
        `CLS per page: ${Object.entries(figures)
          .map(([name, f]) => `${name} ${f.cls}${f.sources.length ? ` (${f.sources.join('; ')})` : ''}`)
          .join(', ')}`,
      );
      // Assess
      expect(Object.keys(figures)).toHaveLength(11);
      for (const [name, f] of Object.entries(figures))
        expect(f.cls, `${name}: ${f.sources.join('; ')}`).toBeLessThan(GOOD_CLS);
    });

    it.each([640, 320])(
      'has no horizontal scroll on any page at %i CSS pixels wide (a 1280 or 640 window at 200% zoom)',
      async (width) => {
        // Prepare
        const overflows: Record<string, { scrollWidth: number; innerWidth: number; offenders: string[] }> = {};
        // Act
        await visitEach({ width, height: 800 }, async (portalPage, page) => {
          overflows[portalPage.name] = await horizontalOverflow(page);
          await p.shot(page, `zoom-${width}-${portalPage.name}`);
        });
        // Assess
        expect(Object.keys(overflows)).toHaveLength(11);
        for (const [name, o] of Object.entries(overflows))
          expect(o.scrollWidth, `${name} overflows: ${o.offenders.join('; ')}`).toBeLessThanOrEqual(o.innerWidth);
      },
    );

    it('gives every visible control and link on every page a non-empty accessible name', async () => {
      // Prepare
      const unlabelled: Record<string, string[]> = {};
      // Act
      await visitEach(undefined, async (portalPage, page) => {
        if (portalPage.name === 'Notebook') await page.getByRole('button', { name: 'Edit details' }).click();
        unlabelled[portalPage.name] = await unlabelledControls(page);
      });
      // Assess
      expect(Object.keys(unlabelled)).toHaveLength(11);
      expect(unlabelled).toEqual(Object.fromEntries(Object.keys(unlabelled).map((name) => [name, []])));
    });

    it('signs in and reaches the launch form with the keyboard alone, through the skip link, with focus visible at every stop', async () => {
      // Prepare
      const page = await p.newPage();
      await installNameProbe(page);
      const serverName = 'kbd-dev';
      // Act
      await page.goto(`${p.t.platform.url}/login`);
      await shown(page.getByRole('textbox', { name: 'Bearer token' }));
      const toToken = await tabTo(page, 'Bearer token');
      await page.keyboard.insertText(p.t.tokens.alice);
      await page.keyboard.press('Enter');
      await shown(page.getByRole('heading', { name: 'Your servers' }));
      await shown(launchForm(page).getByText('Hourly price'));
      const [skip] = await tabTo(page, 'Skip to content', 1);
      await page.keyboard.press('Enter');
      const afterSkip = await page.evaluate(() => document.activeElement?.closest('main') !== null);
      const toName = await tabTo(page, 'Server name');
      await page.keyboard.type(serverName);
      const toLaunch = await tabTo(page, 'Launch server');
      const typed = await page.getByRole('textbox', { name: 'Server name' }).inputValue();
      // Launching needs Jupyter; without it (and CI not true) the walk to the button is still checked.
      const launched = jupyterServerAvailable();
      if (launched) {
        await page.keyboard.press('Enter');
        await shown(page.getByRole('log', { name: 'Spawn progress' }));
        await eventually(
          async () => (await p.t.api('GET', `/servers/${serverName}`, p.t.tokens.alice)).status === 200,
          'the server to exist',
        );
        await p.shot(page, 'keyboard-launched');
        await p.t.api('DELETE', `/servers/${serverName}`, p.t.tokens.alice);
      }
      // Assess
      expect(skip).toMatchObject({ tag: 'a', name: 'Skip to content', indicator: true });
      expect(afterSkip).toBe(true);
      expect(toName.at(-1)).toMatchObject({ tag: 'input', inMain: true });
      expect(toLaunch.at(-1)).toMatchObject({ tag: 'button', inMain: true });
      expect(typed).toBe(serverName);
      for (const stop of [...toToken, ...toName, ...toLaunch])
        expect(stop.indicator, `no focus indicator on ${stop.tag} "${stop.name}" (${stop.style})`).toBe(true);
    });

    it('searches Folium from the keyboard: Tab to Search titles, type, Enter, and the results change', async () => {
      // Prepare
      const page = await signedIn(false);
      await page.goto(`${p.t.platform.url}/notebooks`);
      await shown(page.getByRole('link', { name: otherTitle }));
      await shown(page.getByRole('link', { name: title }));
      // Act
      const stops = await tabTo(page, 'Search titles');
      await page.keyboard.type(title);
      await page.keyboard.press('Enter');
      await page.getByRole('link', { name: otherTitle }).waitFor({ state: 'hidden', timeout: PAGE_MS });
      const found = await page.getByRole('listitem').getByRole('link', { name: title }).count();
      await p.shot(page, 'keyboard-folium-search');
      // Assess
      expect(found).toBe(1);
      expect(stops.at(-1)?.tag).toBe('input');
      for (const stop of stops)
        expect(stop.indicator, `no focus indicator on ${stop.tag} "${stop.name}" (${stop.style})`).toBe(true);
    });
  },
);
