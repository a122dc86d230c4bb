import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { eventually, jupyterServerAvailable, waitForServer } from '../../functions/test/support/servers.ts';
import type { TestPlatform } from '../../functions/test/support/platform.ts';
import { usePortal } from './support/portal-fixture.ts';
import { PAGE_MS, shown, signInWithToken } from './support/portal-steps.ts';

const LAUNCH_MS = 60_000;

/** Launches a server through the API, writes a file into its home through Jupyter, and stops it. */
const stoppedServerWithFile = async (t: TestPlatform, token: string, name: string, file: string) => {
  const launch = await t.api('POST', '/servers', token, { name });
  const server = await waitForServer(t, name, token, ['RUNNING', 'FAILED'], LAUNCH_MS);
  expect(server.status, server.reason).toBe('RUNNING');
  const res = await fetch(`${server.url}api/contents/${file}`, {
    method: 'PUT',
    headers: { authorization: `token ${launch.body.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'file', format: 'text', content: `kept by ${name}` }),
  });
  expect(res.status).toBe(201);
  await t.api('DELETE', `/servers/${name}`, token);
};

describe.skipIf(!chromiumAvailable() || !jupyterServerAvailable())('a stopped server’s row in the portal', () => {
  const p = usePortal('server-homes', {
    ORRERY_ACTIVITY_INTERVAL: '0.5',
    ORRERY_PROGRESS_WAIT_MS: '2000',
    ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
    ORRERY_VOLUME_UNUSED_DAYS: '0',
  });

  it('starts a stopped server again with its files, and deletes one only after a confirmation that names what is lost', {
    timeout: 3 * LAUNCH_MS,
  }, async () => {
    // Prepare
    await stoppedServerWithFile(p.t, p.t.tokens.alice, 'e2e-home', 'notes.txt');
    const page = await p.newPage();
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice);
    const startAgain = page.getByRole('button', { name: 'Start e2e-home again', exact: true });
    await shown(startAgain);
    await p.shot(page, 'stopped-row');
    // Act: start it again, and read its file through the Open link's server and token.
    await startAgain.click();
    const open = page.getByRole('link', { name: 'Open e2e-home' }).first();
    await shown(open, LAUNCH_MS);
    await p.shot(page, 'started-again');
    const bar = await page.locator('#spawn-bar').evaluate((el) => {
      const track = el.getBoundingClientRect();
      const card = el.closest('section')!.getBoundingClientRect();
      return { value: (el as HTMLProgressElement).value, track: track.width, card: card.width };
    });
    const link = new URL((await open.getAttribute('href'))!);
    const base = `${link.origin}${link.pathname.replace(/lab$/, '')}`;
    const file = await fetch(`${base}api/contents/notes.txt?content=1&token=${link.searchParams.get('token')}`);
    const kept = file.status === 200 ? ((await file.json()) as { content: string }).content : file.status;
    // Act: stop it from its row, then ask to delete it, cancel, ask again and confirm.
    await page.getByRole('button', { name: 'Dismiss progress of e2e-home', exact: true }).click();
    await page.getByRole('button', { name: 'Stop e2e-home', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, stop e2e-home', exact: true }).click();
    const remove = page.getByRole('button', { name: 'Delete e2e-home', exact: true });
    await shown(remove, 30_000);
    await remove.click();
    const question = page.getByRole('group', { name: 'Confirm deleting e2e-home' });
    await shown(question);
    const asked = await question.innerText();
    await p.shot(page, 'delete-confirmation');
    await question.getByRole('button', { name: 'Cancel' }).click();
    const afterCancel = (await p.t.api('GET', '/servers/e2e-home', p.t.tokens.alice)).status;
    await remove.click();
    await page.getByRole('button', { name: 'Yes, delete e2e-home', exact: true }).click();
    await page.getByRole('row', { name: /e2e-home/ }).waitFor({ state: 'detached', timeout: PAGE_MS });
    await p.shot(page, 'deleted');
    const gone = await eventually(
      async () => (await p.t.api('GET', '/servers/e2e-home', p.t.tokens.alice)).status === 404,
      'the record to go',
    );
    // Assess
    expect(bar.value).toBe(100);
    expect(bar.track).toBeGreaterThan(bar.card * 0.9);
    expect(kept).toBe('kept by e2e-home');
    expect(asked).toContain('Delete e2e-home? Its home and every file saved in it are deleted for good.');
    expect(afterCancel).toBe(200);
    expect(gone).toBe(true);
  });

  it('lists an unused volume on the Admin page with owner, size, monthly cost and last use, each heading once', {
    timeout: 2 * LAUNCH_MS,
  }, async () => {
    // Prepare
    await stoppedServerWithFile(p.t, p.t.tokens.amir, 'e2e-idle', 'data.txt');
    const page = await p.newPage();
    // Act
    await signInWithToken(page, p.t.platform.url, p.t.tokens.root, '/admin');
    const table = page.getByRole('table', { name: 'Unused volumes' });
    await shown(table.getByRole('rowheader', { name: 'e2e-idle' }));
    const row = await table.getByRole('row', { name: /e2e-idle/ }).innerText();
    const headings = await page.getByRole('heading').allInnerTexts();
    const captions = await page.locator('caption:not(.visually-hidden)').allInnerTexts();
    await p.shot(page, 'admin-volumes');
    // Assess
    expect(row).toMatch(/amir/);
    expect(row).toMatch(/\$0\.00/);
    expect(row).toMatch(/0 days ago/);
    const shownTwice = [...headings, ...captions].filter((h, i, all) => all.indexOf(h) !== i);
    expect(shownTwice).toEqual([]);
  });
});
