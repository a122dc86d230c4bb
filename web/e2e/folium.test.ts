import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { FIXTURES } from '../../functions/test/support/notebooks.ts';
import { usePortal } from './support/portal-fixture.ts';
import {
  createNotebook,
  maxProgress,
  pathOf,
  PAGE_MS,
  recordProgress,
  shown,
  signInWithToken,
  uniqueTitle,
} from './support/portal-steps.ts';
import { join } from 'node:path';

describe.skipIf(!chromiumAvailable())('Folium in the portal', { timeout: 90_000 }, () => {
  const p = usePortal('folium');

  it('uploads a notebook by the file input, shows the progress reach done and lands on the notebook’s page', async () => {
    // Prepare
    const title = uniqueTitle('Uploaded sales');
    const page = await p.newPage();
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice, '/notebooks');
    await shown(page.getByRole('heading', { name: 'Folium' }));
    await shown(page.getByRole('button', { name: 'Drop a notebook here or choose a file' }));
    // Act
    await page.getByLabel('Notebook file').setInputFiles(join(FIXTURES, 'parameters-basic.ipynb'));
    const prefilled = await page.getByRole('textbox', { name: 'Title', exact: true }).inputValue();
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill(title);
    await p.shot(page, 'folium-upload-ready');
    await recordProgress(page, 'Upload progress');
    const storage = p.t.platform.config.s3Endpoint!;
    const toStorage: Array<{ method: string; type: string }> = [];
    page.on('request', (r) => {
      if (r.url().startsWith(storage) && r.method() !== 'OPTIONS')
        toStorage.push({ method: r.method(), type: r.headers()['content-type'] ?? '' });
    });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.waitForURL((u) => /^\/notebooks\/[^/]+$/.test(u.pathname), { timeout: PAGE_MS });
    // Assess
    expect(prefilled).toMatch(/parameters-basic/);
    // A form POST, whose signed policy bounds the file's length; a presigned PUT could not be bounded.
    expect(toStorage).toEqual([{ method: 'POST', type: expect.stringMatching(/^multipart\/form-data; boundary=/) }]);
    expect(await maxProgress(page)).toBe(1);
    await shown(page.getByRole('heading', { level: 1, name: title }));
    await shown(page.getByRole('table', { name: 'Parameters' }).getByText('region', { exact: true }));
    await shown(page.getByRole('list', { name: 'Versions' }).getByRole('listitem'));
    await shown(page.frameLocator('iframe[title="Rendered notebook"]').getByText('Daily sales report'));
    const id = pathOf(page).split('/')[2]!;
    const stored = await p.t.api('GET', `/notebooks/${id}/versions`, p.t.tokens.alice);
    expect(stored.body.items.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(await page.locator('iframe[title="Rendered notebook"]').getAttribute('sandbox')).not.toMatch(
      /allow-scripts.*allow-same-origin|allow-same-origin.*allow-scripts/,
    );
    await p.shot(page, 'notebook');
  });

  it('edits a notebook’s tags and finds it in Folium by tag and by title', async () => {
    // Prepare
    const title = uniqueTitle('Tagged forecast');
    const tag = `e2e-${title.split(' ').at(-1)}`;
    const id = await createNotebook(p.t, p.t.tokens.alice, { title });
    const otherTitle = uniqueTitle('Untagged other');
    const other = await createNotebook(p.t, p.t.tokens.alice, { title: otherTitle });
    const page = await p.newPage();
    await signInWithToken(page, p.t.platform.url, p.t.tokens.alice, `/notebooks/${id}`);
    await shown(page.getByRole('heading', { level: 1, name: title }));
    // Act
    await page.getByRole('button', { name: 'Edit details' }).click();
    await page.getByRole('textbox', { name: 'Tags' }).fill(`${tag}, sales`);
    await p.shot(page, 'notebook-edit-details');
    await page.getByRole('button', { name: 'Save' }).click();
    await shown(page.getByRole('list', { name: 'Tags' }).getByText(tag));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Folium' }).click();
    // Both are listed before any filter, so a filtered list is told apart from a list still loading.
    await shown(page.getByRole('link', { name: otherTitle }));
    await shown(page.getByRole('link', { name: title }));
    await page.getByRole('textbox', { name: 'Tag', exact: true }).fill(tag);
    await page.getByRole('textbox', { name: 'Tag', exact: true }).press('Enter');
    await page.getByRole('link', { name: otherTitle }).waitFor({ state: 'hidden', timeout: PAGE_MS });
    const byTag = await page.getByRole('listitem').getByRole('link', { name: title }).count();
    await p.shot(page, 'folium-by-tag');
    await page.getByRole('textbox', { name: 'Tag', exact: true }).fill('');
    await page.getByRole('textbox', { name: 'Tag', exact: true }).press('Enter');
    await shown(page.getByRole('link', { name: otherTitle }));
    await page.getByRole('searchbox', { name: 'Search titles' }).fill(title.slice(0, -2));
    await page.getByRole('searchbox', { name: 'Search titles' }).press('Enter');
    await page.getByRole('link', { name: otherTitle }).waitFor({ state: 'hidden', timeout: PAGE_MS });
    const byTitle = await page.getByRole('listitem').getByRole('link', { name: title }).count();
    await p.shot(page, 'folium-by-title');
    // Assess
    expect([byTag, byTitle]).toEqual([1, 1]);
    expect((await p.t.api('GET', `/notebooks/${id}`, p.t.tokens.alice)).body.tags).toEqual(
      expect.arrayContaining([tag, 'sales']),
    );
    expect((await p.t.api('GET', `/notebooks/${other}`, p.t.tokens.alice)).body.tags).toEqual([]);
    await page.getByRole('link', { name: title }).click();
    await shown(page.getByRole('heading', { level: 1, name: title }));
  });

  it('hides a private notebook from a second user: not in Folium, and its address shows a not-found state', async () => {
    // Prepare
    const prefix = uniqueTitle('Quarterly');
    const secret = await createNotebook(p.t, p.t.tokens.alice, { title: `${prefix} private`, visibility: 'private' });
    await createNotebook(p.t, p.t.tokens.alice, { title: `${prefix} open`, visibility: 'org' });
    const page = await p.newPage();
    p.allowErrors(/status of 404/);
    await signInWithToken(page, p.t.platform.url, p.t.tokens.bob, '/notebooks');
    await shown(page.getByRole('heading', { name: 'Folium' }));
    // Act
    await page.getByRole('searchbox', { name: 'Search titles' }).fill(prefix);
    await page.getByRole('searchbox', { name: 'Search titles' }).press('Enter');
    await shown(page.getByRole('link', { name: `${prefix} open` }));
    const listed = await page.getByRole('link', { name: `${prefix} private` }).count();
    await p.shot(page, 'folium-second-user');
    await page.goto(`${p.t.platform.url}/notebooks/${secret}`);
    // Assess
    expect(listed).toBe(0);
    await shown(
      page.getByRole('heading', { name: /not found/i }).or(page.getByRole('alert').filter({ hasText: /not found/i })),
    );
    expect(await page.getByRole('heading', { name: `${prefix} private` }).count()).toBe(0);
    await p.shot(page, 'notebook-not-found');
  });
});
