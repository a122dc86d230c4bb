import type { Page } from 'playwright-core';
import type { TestPlatform } from '../../../functions/test/support/platform.ts';
import { waitForServer } from '../../../functions/test/support/servers.ts';
import { PAGE_MS, shown } from './portal-steps.ts';

// Steps of the JupyterLab browser tests: a server launched through the local platform, notebooks written through
// Jupyter's contents API, and the Orrery menu as a person clicks it.

/** A server launched for a test: its record's URL and the token that opens it. */
export interface LabServer {
  name: string;
  url: string;
  token: string;
}

/** How long JupyterLab may take to load (its bundle is a few MB; the tests of other files run beside). */
export const LAB_MS = 60_000;

/** Launches a server through the API and waits until it runs. */
export const launchLabServer = async (
  t: TestPlatform,
  token: string,
  name: string,
  body: Record<string, unknown> = {},
): Promise<LabServer> => {
  const launched = await t.api('POST', '/servers', token, { name, ...body });
  if (launched.status !== 201 && launched.status !== 202)
    throw new Error(`launch answered ${launched.status}: ${launched.text}`);
  const running = await waitForServer(t, name, token, ['RUNNING'], 90_000);
  return { name, url: running.url as string, token: launched.body.token as string };
};

/** Calls Jupyter's REST API with the server token. */
export const jupyterApi = async (server: LabServer, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${server.url}api/${path}`, {
    method,
    headers: { authorization: `token ${server.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
};

/** A notebook with one code cell and the python3 kernel, as a notebook model. */
export const notebookOf = (...sources: string[]) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
  cells: sources.map((source, i) => ({
    cell_type: 'code',
    id: `cell-${i}`,
    source,
    metadata: {},
    outputs: [],
    execution_count: null,
  })),
});

/** Writes a notebook into the server's files. */
export const writeNotebook = async (server: LabServer, path: string, ...sources: string[]): Promise<void> => {
  const res = await jupyterApi(server, 'PUT', `contents/${path}`, {
    type: 'notebook',
    format: 'json',
    content: notebookOf(...sources),
  });
  if (res.status >= 300) throw new Error(`could not write ${path}: ${res.status}`);
};

/** Opens JupyterLab (on a notebook, when given) and waits until its layout is restored. */
export const openLab = async (page: Page, server: LabServer, path?: string): Promise<void> => {
  await page.goto(`${server.url}lab${path ? `/tree/${path}` : ''}?token=${server.token}`);
  await page.locator('body[data-orrery-lab="ready"]').waitFor({ state: 'attached', timeout: LAB_MS });
  if (!path) return;
  // A restored layout shows the notebooks of earlier visits first: wait until this one is the current tab.
  const name = path.split('/').pop()!;
  await shown(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current', { hasText: name }), LAB_MS);
  await shown(page.locator('.jp-Notebook .jp-Cell:visible').first(), LAB_MS);
};

/** Clicks Orrery › item in the main menu. */
export const orreryMenu = async (page: Page, item: string): Promise<void> => {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Orrery$/ }).click();
  await page.getByRole('menuitem', { name: item }).click();
};

/** The JupyterLab dialog open now. */
export const dialog = (page: Page) => page.locator('.jp-Dialog');

/** A JupyterLab notification (toast) holding the text. */
export const toast = (page: Page, text: string | RegExp) => page.locator('.jp-toast-message', { hasText: text });

/** Waits until the toast with the text is shown and returns its text. */
export const toastText = async (page: Page, text: string | RegExp, timeout = PAGE_MS): Promise<string> => {
  await shown(toast(page, text), timeout);
  return toast(page, text).first().innerText();
};
