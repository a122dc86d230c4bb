import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cullIdle } from '../../functions/src/use-cases/cull-idle.ts';
import { fakeStsBroker, setAwsEnvironment } from '../../functions/test/support/aws-environment.ts';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { type FakeSts, startFakeSts } from '../../functions/test/support/fake-sts.ts';
import { eventually, jupyterServerAvailable, serverProcesses } from '../../functions/test/support/servers.ts';
import {
  dialog,
  jupyterApi,
  LAB_MS,
  type LabServer,
  launchLabServer,
  notebookOf,
  openLab,
  orreryMenu,
  toast,
  toastText,
  writeNotebook,
} from './support/jupyterlab-steps.ts';
import { ensureLabBuilt, LAB_BUILD_TIMEOUT_MS, labServerAvailable } from './support/lab-build.ts';
import { usePortal } from './support/portal-fixture.ts';
import { shown } from './support/portal-steps.ts';
import { ADS_ANALYST_ROLE, RISK_PROD_ROLE } from './support/test-roles.ts';

// The Orrery extension in a local server's JupyterLab, end to end: every menu item against the real platform (API,
// Folium, the credentials sidecar with the test STS, the culler) and the Data tables panel on a real SQLite file.

// risk-prod with a one-hour session in this suite.
const ROLES = [ADS_ANALYST_ROLE, { ...RISK_PROD_ROLE, maxSessionSeconds: 3600 }];

const SHOP = `import sqlite3
con = sqlite3.connect(__import__('sys').argv[1])
con.execute('CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT, amount REAL)')
con.executemany('INSERT INTO orders VALUES (?, ?, ?)', [(1, 'lamp', 12.5), (2, 'desk', 99.0), (3, 'chair', 45.25)])
con.commit()
`;

describe.skipIf(!chromiumAvailable() || !jupyterServerAvailable() || !labServerAvailable())(
  'the Orrery menu and panel in JupyterLab',
  {
    timeout: 180_000,
  },
  () => {
    const tables = mkdtempSync(join(tmpdir(), 'orrery-tables-'));
    let sts: FakeSts;
    let restoreAwsEnvironment: () => void;
    let server: LabServer;
    beforeAll(async () => {
      ensureLabBuilt();
      execFileSync('/usr/bin/python3', ['-c', SHOP, join(tables, 'shop.sqlite')]);
      sts = await startFakeSts();
      // With roles configured the platform lists Glue too: a closed loopback port keeps it off the internet.
      restoreAwsEnvironment = setAwsEnvironment({ ...fakeStsBroker(sts), AWS_ENDPOINT_URL_GLUE: 'http://127.0.0.1:9' });
    }, LAB_BUILD_TIMEOUT_MS);
    afterAll(async () => {
      await sts?.close();
      restoreAwsEnvironment?.();
      delete process.env.AWS_ENDPOINT_URL_GLUE;
      rmSync(tables, { recursive: true, force: true });
    });
    const p = usePortal('jupyterlab-orrery', {
      ORRERY_ROLES: JSON.stringify(ROLES),
      ORRERY_TABLES_DIR: tables,
      ORRERY_ACTIVITY_INTERVAL: '0.5',
      ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
    });
    afterEach(async ({ task }) => {
      // A failure says what became of the server, which the later tests share.
      if (task.result?.state !== 'fail') return;
      const record = (await p.t.api('GET', '/servers/labext-e2e', p.t.tokens.alice)).body;
      console.error(
        `server labext-e2e after "${task.name}": ${record.status} ${record.reason ?? ''} ${record.stoppedBy ?? ''}`,
      );
    });
    beforeAll(async () => {
      server = await launchLabServer(p.t, p.t.tokens.alice, 'labext-e2e', { role: 'ads-analyst' });
    }, 120_000);

    it('shows the Orrery menu; Upload to Folium twice makes versions 1 and 2 of one notebook, with the link', async () => {
      // Prepare
      await writeNotebook(server, 'report.ipynb', 'print("report")');
      const page = await p.newPage();
      await openLab(page, server, 'report.ipynb');
      await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Orrery$/ }).click();
      const items = await page.locator('.lm-Menu-content .lm-Menu-itemLabel').allInnerTexts();
      await p.shot(page, 'menu');
      await page.keyboard.press('Escape');
      // Act
      await orreryMenu(page, 'Upload to Folium…');
      await dialog(page).getByLabel('Title').fill('Lab report');
      await dialog(page).getByLabel('Tags (comma-separated)').fill('lab, weekly');
      await dialog(page).getByLabel('Visibility').selectOption('team');
      await dialog(page).getByRole('button', { name: 'Upload', exact: true }).click();
      const first = await toastText(page, 'as version 1');
      await orreryMenu(page, 'Upload to Folium…');
      await dialog(page).getByLabel('Message').fill('second take');
      await dialog(page).getByRole('button', { name: 'Upload new version' }).click();
      const second = await toastText(page, 'as version 2');
      // Assess
      expect(items.filter(Boolean)).toEqual([
        'Upload to Folium…',
        'Open from Folium…',
        'Run in Folium',
        'AWS credentials…',
        'Data tables',
        'Keep this server alive',
        'Shut down this server…',
      ]);
      const found = await p.t.api('GET', '/notebooks?q=Lab%20report', p.t.tokens.alice);
      expect(found.body.items).toHaveLength(1);
      const notebook = found.body.items[0];
      expect(notebook).toMatchObject({ title: 'Lab report', tags: ['lab', 'weekly'], visibility: 'team' });
      const versions = await p.t.api('GET', `/notebooks/${notebook.id}/versions`, p.t.tokens.alice);
      const listed = versions.body.items.map((v: { version: number; message: string }) => [v.version, v.message]);
      expect(listed.sort()).toEqual([
        [1, 'Initial version'],
        [2, 'second take'],
      ]);
      expect(first).toContain(`${p.t.platform.url}/notebooks/${notebook.id}`);
      expect(second).toContain('“Lab report”');
      const saved = await jupyterApi(server, 'GET', 'contents/report.ipynb');
      expect(saved.body.content.metadata.orrery).toEqual({ notebookId: notebook.id, version: 2, title: 'Lab report' });
    });

    it('Run in Folium opens the run form of the uploaded notebook in a new tab, and explains for one never uploaded', async () => {
      // Prepare
      const { id } = (await p.t.api('GET', '/notebooks?q=Lab%20report', p.t.tokens.alice)).body.items[0];
      await writeNotebook(server, 'fresh.ipynb', 'print("fresh")');
      const page = await p.newPage();
      await openLab(page, server, 'report.ipynb');
      // Act
      const [tab] = await Promise.all([page.context().waitForEvent('page'), orreryMenu(page, 'Run in Folium')]);
      await tab.waitForLoadState('domcontentloaded');
      const tabUrl = tab.url();
      await tab.close();
      await openLab(page, server, 'fresh.ipynb');
      await orreryMenu(page, 'Run in Folium');
      await shown(dialog(page));
      const explained = await dialog(page).innerText();
      // Assess
      expect(new URL(tabUrl).pathname).toBe(`/notebooks/${id}/run`);
      expect(explained).toContain('never uploaded');
      expect(await dialog(page).getByRole('button', { name: 'Upload now' }).count()).toBe(1);
    });

    it('Open from Folium finds a notebook by title, opens the version picked, and remembers where it came from', async () => {
      // Prepare
      const created = await p.t.api('POST', '/notebooks', p.t.tokens.alice, {
        title: 'Shared analysis',
        tags: ['shared'],
        content: JSON.stringify(notebookOf('print("one")')),
      });
      const id = created.body.notebook.id as string;
      await p.t.api('POST', `/notebooks/${id}/versions`, p.t.tokens.alice, {
        content: JSON.stringify(notebookOf('print("two")')),
        message: 'v2',
      });
      const page = await p.newPage();
      await openLab(page, server);
      // Act
      await orreryMenu(page, 'Open from Folium…');
      await dialog(page).getByPlaceholder('Title starts with…').fill('Shared');
      await dialog(page).getByRole('button', { name: 'Search' }).click();
      await dialog(page)
        .getByRole('option', { name: /Shared analysis/ })
        .click();
      const version = dialog(page).getByLabel('Version');
      await version.locator('option[value="1"]').waitFor({ state: 'attached', timeout: 15_000 });
      await version.selectOption('1');
      await dialog(page).getByRole('button', { name: 'Open', exact: true }).click();
      await shown(page.locator('.lm-TabBar-tabLabel', { hasText: 'Shared-analysis-v1.ipynb' }), LAB_MS);
      await shown(page.locator('.jp-Notebook .jp-Cell', { hasText: 'print("one")' }));
      // Assess
      const file = await jupyterApi(server, 'GET', 'contents/Shared-analysis-v1.ipynb');
      expect(file.body.content.cells[0].source).toBe('print("one")');
      expect(file.body.content.metadata.orrery).toEqual({ notebookId: id, version: 1, title: 'Shared analysis' });
    });

    it('Open from Folium searches on Enter in its title and tag boxes, and stays open until a notebook is picked', async () => {
      // Prepare
      for (const [title, tags] of [
        ['Enter key target', ['enterkey']],
        ['Another notebook', []],
      ] as const) {
        await p.t.api('POST', '/notebooks', p.t.tokens.alice, {
          title,
          tags,
          content: JSON.stringify(notebookOf('print(1)')),
        });
      }
      const page = await p.newPage();
      await openLab(page, server);
      await orreryMenu(page, 'Open from Folium…');
      const options = dialog(page).getByRole('option');
      await shown(options.filter({ hasText: 'Another notebook' }));
      // Act
      await dialog(page).getByPlaceholder('Title starts with…').fill('enter key');
      await dialog(page).getByPlaceholder('Title starts with…').press('Enter');
      const byTitle = await eventually(async () => {
        const titles = await options.allInnerTexts();
        return titles.length === 1 && titles;
      }, 'the title search to list one notebook');
      await dialog(page).getByPlaceholder('tag').fill('no-such-tag');
      await dialog(page).getByPlaceholder('tag').press('Enter');
      await shown(dialog(page).getByText('No notebook matches.'));
      // Assess
      expect(byTitle[0]).toContain('Enter key target');
      expect(await dialog(page).count()).toBe(1);
      expect(await options.count()).toBe(0);
    });

    it('AWS credentials shows the role and expiry from the test STS, lists the roles, refreshes and switches role', async () => {
      // Prepare
      const page = await p.newPage();
      await openLab(page, server);
      const status = page.locator('.orrery-status-credentials');
      await shown(status.filter({ hasText: /^AWS ads-analyst · (\d+:)?\d\d:\d\d$/ }), LAB_MS);
      const before = await status.innerText();
      // Act
      await orreryMenu(page, 'AWS credentials…');
      await shown(dialog(page).locator('.orrery-roles'));
      const shownStatus = await dialog(page).locator('.orrery-credentials-status').innerText();
      const rows = await dialog(page).locator('.orrery-roles tbody tr').allInnerTexts();
      const stsCalls = sts.requests.length;
      await dialog(page).getByRole('button', { name: 'Refresh now' }).click();
      await toastText(page, 'New AWS keys for ads-analyst');
      const afterRefresh = sts.requests.length;
      await orreryMenu(page, 'AWS credentials…');
      await dialog(page).getByRole('radio', { name: 'risk-prod' }).check();
      await dialog(page).getByRole('button', { name: 'Switch role' }).click();
      await toastText(page, 'now gets keys for risk-prod');
      await shown(status.filter({ hasText: /^AWS risk-prod · / }));
      // Assess
      expect(before).toMatch(/^AWS ads-analyst · (\d+:)?\d\d:\d\d$/);
      expect(shownStatus).toMatch(/^Role ads-analyst in ads-dev; the keys expire in .+ and renew by themselves\.$/);
      expect(
        rows.map((r) =>
          r
            .split('\t')
            .slice(1, 4)
            .map((c) => c.trim()),
        ),
      ).toEqual([
        ['ads-analyst', 'ads-dev', 'dev'],
        ['risk-prod', 'risk-prod', 'prod'],
      ]);
      expect(afterRefresh).toBe(stsCalls + 1);
      expect(sts.requests.at(-1)?.roleArn).toBe(ROLES[1]!.roleArn);
      expect((await p.t.api('GET', '/servers/labext-e2e', p.t.tokens.alice)).body.role).toBe('risk-prod');
      const html = await page.content();
      for (const request of sts.requests) if (request.issued) expect(html).not.toContain(request.issued.accessKeyId);
    });

    it('the Data tables panel lists the SQLite table and inserts code that runs and prints its rows', async () => {
      // Prepare
      await writeNotebook(server, 'tables.ipynb', 'print("start")');
      const page = await p.newPage();
      await openLab(page, server, 'tables.ipynb');
      // Act
      await orreryMenu(page, 'Data tables');
      const table = page.locator('.orrery-table', { hasText: 'orders' });
      await shown(table);
      await table.getByRole('button', { name: 'Insert code: Python: print rows (sqlite3)' }).click();
      // The new cell takes the focus, so Shift+Enter runs it, as a person would.
      await shown(page.locator('.jp-Notebook .jp-Cell.jp-mod-active .cm-editor.cm-focused', { hasText: 'sqlite3' }));
      await page.keyboard.press('Shift+Enter');
      const output = page.locator('.jp-Cell', { hasText: 'sqlite3.connect' }).locator('.jp-OutputArea-output');
      await shown(output, LAB_MS);
      await shown(output.filter({ hasText: "(3, 'chair', 45.25)" }), LAB_MS);
      await p.shot(page, 'data-tables');
      // Assess
      expect(await table.innerText()).toContain('id INTEGER, item TEXT, amount REAL');
      expect((await output.innerText()).trim()).toBe(
        "['id', 'item', 'amount']\n(1, 'lamp', 12.5)\n(2, 'desk', 99.0)\n(3, 'chair', 45.25)",
      );
      const cells = await page
        .locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell .jp-InputArea-editor')
        .allInnerTexts();
      // One inserted cell, below the active one (Shift+Enter then adds the empty cell after it, as JupyterLab does).
      expect(cells.filter((c) => c.includes('sqlite3.connect'))).toHaveLength(1);
      expect(cells[0]).toContain('print("start")');
      expect(cells[1]).toContain('sqlite3.connect');
    });

    it('a cull warning shows as a notification with the time left; Keep alive clears it in Orrery and on the page', async () => {
      // Prepare: the culler's sweep with a clock 5 minutes before the idle stop, as the idle-culler test does
      const record = (await p.t.api('GET', '/servers/labext-e2e', p.t.tokens.alice)).body;
      const now = Date.parse(record.lastActivity) + (record.idleTimeoutSeconds - 300) * 1000;
      await cullIdle({ ...p.t.platform.deps, clock: { now: () => new Date(now) } });
      const warned = (await p.t.api('GET', '/servers/labext-e2e', p.t.tokens.alice)).body.cullWarning;
      const page = await p.newPage();
      // Act
      await openLab(page, server);
      const text = await toastText(page, 'Orrery will stop this server', LAB_MS);
      await p.shot(page, 'cull-warning');
      await page.locator('.jp-toast-button', { hasText: 'Keep alive' }).click();
      await toastText(page, 'Orrery keeps this server running');
      await toast(page, 'Orrery will stop this server').waitFor({ state: 'detached', timeout: 15_000 });
      // Assess
      expect(warned).toMatchObject({ reason: 'idle' });
      expect(text).toMatch(/^Orrery will stop this server in (\d+ h )?\d+ min because it has been idle\./);
      expect((await p.t.api('GET', '/servers/labext-e2e', p.t.tokens.alice)).body.cullWarning).toBeNull();
    });

    it('Shut down this server asks first, then Orrery stops it: the record ends STOPPED by its owner, no process left', async () => {
      // Prepare: the page loses its server; JupyterLab's polls and sockets fail, and the browser logs each.
      p.allowErrors(/ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ChunkLoadError|Failed to fetch/);
      const page = await p.newPage();
      await openLab(page, server);
      // Act
      await orreryMenu(page, 'Shut down this server…');
      const question = await dialog(page).innerText();
      await dialog(page).getByRole('button', { name: 'Shut down' }).click();
      await toastText(page, 'You can close this tab', 30_000);
      const stopped = await eventually(
        async () => {
          const res = await p.t.api('GET', '/servers/labext-e2e', p.t.tokens.alice);
          return res.body.status === 'STOPPED' ? res.body : null;
        },
        'the server to stop',
        30_000,
      );
      // Assess
      expect(question).toContain('Shut down this server?');
      expect(stopped).toMatchObject({ status: 'STOPPED', stoppedBy: 'owner' });
      await eventually(async () => serverProcesses(p.t.home).length === 0, 'the server processes to end', 15_000);
    });
  },
);
