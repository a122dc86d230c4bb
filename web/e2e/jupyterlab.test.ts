import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { jupyterServerAvailable, waitForServer } from '../../functions/test/support/servers.ts';
import { jupyterLabUrl } from '../src/server-tokens.ts';
import { ensureLabBuilt, LAB_BUILD_TIMEOUT_MS, labServerAvailable } from './support/lab-build.ts';
import { usePortal } from './support/portal-fixture.ts';
import { PAGE_MS, shown, signInWithToken } from './support/portal-steps.ts';

// JupyterLab as every local server serves it (lab/build at /lab, docs/jupyterlab.md), opened the way a person does:
// the portal's Open link. The fixture fails a test on any console error, so a missing server API (/api/me, the
// events socket) or a 404 for an asset fails it too.

const LAB_MS = 60_000;

/** Opens a JupyterLab address and waits until the app has started and restored its layout. */
const openLab = async (page: Page, url: string) => {
  await page.goto(url);
  await page.locator('body[data-orrery-lab="ready"]').waitFor({ state: 'attached', timeout: LAB_MS });
};

describe.skipIf(!chromiumAvailable() || !jupyterServerAvailable() || !labServerAvailable())(
  'JupyterLab in a local server',
  { timeout: 180_000 },
  () => {
    const p = usePortal('jupyterlab', {
      ORRERY_ACTIVITY_INTERVAL: '0.5',
      ORRERY_PROGRESS_WAIT_MS: '2000',
      ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
    });
    beforeAll(() => ensureLabBuilt(), LAB_BUILD_TIMEOUT_MS);

    it('opens from the portal’s Open link, runs print(6*7) in a new notebook showing 42, and saves it', async () => {
      // Prepare
      const portal = await p.newPage();
      await signInWithToken(portal, p.t.platform.url, p.t.tokens.alice);
      await portal.getByRole('textbox', { name: 'Server name' }).fill('lab-e2e');
      await portal.getByRole('button', { name: 'Launch server' }).click();
      const open = portal.getByRole('link', { name: 'Open lab-e2e' });
      await shown(open, LAB_MS);
      const href = (await open.first().getAttribute('href'))!;
      const lab = await p.newPage();
      // Act
      await openLab(lab, href);
      const landed = new URL(lab.url());
      await p.shot(lab, 'launcher');
      await lab.locator('.jp-LauncherCard[data-category="Notebook"]').first().click();
      const cell = lab.locator('.jp-Notebook .jp-Cell').first();
      await shown(cell, LAB_MS);
      // The kernel must be connected before a run: a cell run earlier is dropped, not queued. The status bar says
      // "Idle" only then (the toolbar's indicator starts out idle).
      await shown(lab.locator('#jp-main-statusbar').getByText(/ipykernel\) \| Idle/), LAB_MS);
      await cell.locator('.cm-content').click();
      await lab.keyboard.type('print(6*7)');
      await lab.keyboard.press('Shift+Enter');
      const output = lab.locator('.jp-OutputArea-output').first();
      await shown(output, LAB_MS);
      const printed = await output.innerText();
      await lab.keyboard.press('Control+s');
      // JupyterLab asks for a name the first time an Untitled notebook is saved.
      const rename = lab.locator('.jp-Dialog');
      if (
        await rename.waitFor({ timeout: 5_000 }).then(
          () => true,
          () => false,
        )
      ) {
        await rename.getByRole('textbox').fill('answer.ipynb');
        await rename.locator('.jp-mod-accept').click();
      }
      await lab.locator('.jp-DirListing-item', { hasText: /^answer\.ipynb/ }).waitFor({ timeout: PAGE_MS });
      await p.shot(lab, 'notebook-42');
      const link = new URL(href);
      const token = link.searchParams.get('token')!;
      const base = `${link.origin}${link.pathname.replace(/lab$/, '')}`;
      const saved = await (await fetch(`${base}api/contents/answer.ipynb?token=${token}`)).json();
      // Assess
      expect(href).toBe(jupyterLabUrl((await waitForServer(p.t, 'lab-e2e', p.t.tokens.alice, ['RUNNING'])).url, token));
      expect(landed.pathname).toMatch(/\/lab$/);
      expect(landed.searchParams.has('token')).toBe(false);
      expect(printed.trim()).toBe('42');
      expect(saved.content.cells[0].source).toBe('print(6*7)');
      expect(saved.content.cells[0].outputs[0].text).toBe('42\n');
    });

    it('shows no "Path Not Found" dialog on the load after a 404 under /lab, and lands / on /lab', async () => {
      // Prepare
      const launched = await p.t.api('POST', '/servers', p.t.tokens.alice, { name: 'lab-404' });
      const running = await waitForServer(p.t, 'lab-404', p.t.tokens.alice, ['RUNNING'], 90_000);
      const href = jupyterLabUrl(running.url, launched.body.token);
      const base = running.url.endsWith('/') ? running.url : `${running.url}/`;
      const lab = await p.newPage();
      await openLab(lab, href);
      // Act
      await openLab(lab, `${base}lab/no/such/page`);
      const notFound = await lab
        .locator('.jp-Dialog', { hasText: 'Path Not Found' })
        .waitFor({ timeout: PAGE_MS })
        .then(
          () => true,
          () => false,
        );
      await p.shot(lab, 'path-not-found');
      await lab.keyboard.press('Escape');
      await openLab(lab, `${base}lab`);
      await lab.waitForTimeout(1_000);
      const after = await lab.locator('.jp-Dialog').count();
      await p.shot(lab, 'after-404');
      await openLab(lab, base);
      const root = new URL(lab.url()).pathname;
      // Assess
      expect(notFound).toBe(true);
      expect(after).toBe(0);
      expect(root).toBe(`${new URL(base).pathname}lab`);
    });
  },
);
