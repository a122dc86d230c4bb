import type { Locator, Page } from 'playwright-core';
import { stringify } from 'lossless-json';
import { fixture } from '../../../functions/test/support/notebooks.ts';
import type { TestPlatform } from '../../../functions/test/support/platform.ts';

/** How long a page may take to show what it loaded (the first visit of a lazy route included). */
export const PAGE_MS = 15_000;

/** Waits until the locator's element is visible. */
export const shown = (locator: Locator, timeout = PAGE_MS): Promise<void> =>
  locator.first().waitFor({ state: 'visible', timeout });

/** Opens the sign-in page (with `next` when given) and signs in by pasting a token, as `npm run token` users do. */
export const signInWithToken = async (page: Page, base: string, token: string, next?: string): Promise<void> => {
  await page.goto(`${base}/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await signInHere(page, token);
};

/** Signs in on the sign-in page already open, and waits to leave it. */
export const signInHere = async (page: Page, token: string): Promise<void> => {
  await shown(page.getByRole('heading', { name: 'Sign in' }));
  await page.getByRole('textbox', { name: 'Bearer token' }).fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login', { timeout: PAGE_MS });
};

/** A notebook made through the API (the UI upload has a test of its own), from a fixture file. */
export const createNotebook = async (
  t: TestPlatform,
  token: string,
  fields: { title: string; file?: string; visibility?: string; tags?: string[] },
): Promise<string> => {
  const res = await t.api('POST', '/notebooks', token, {
    title: fields.title,
    visibility: fields.visibility ?? 'private',
    tags: fields.tags ?? [],
    content: fixture(fields.file ?? 'parameters-basic.ipynb'),
  });
  if (res.status !== 201) throw new Error(`could not create a notebook: ${res.status} ${stringify(res.body)}`);
  return res.body.notebook.id as string;
};

/** The path of the page, with its query, as the router sees it. */
export const pathOf = (page: Page): string => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
};

/** A title no other test uses, so searches find exactly one notebook. */
export const uniqueTitle = (prefix: string): string => `${prefix} ${Math.random().toString(36).slice(2, 8)}`;

/**
 * Starts recording the highest fraction a progress bar reaches, from inside the page: an upload of a
 * small file finishes between two polls of the test, and the page moves on as soon as it is done.
 */
export const recordProgress = (page: Page, name: string): Promise<void> =>
  page.evaluate((label) => {
    const w = window as unknown as { __maxProgress: number };
    w.__maxProgress = 0;
    const read = () => {
      for (const el of document.querySelectorAll<HTMLElement>('[role="progressbar"], progress')) {
        const labelled =
          el.getAttribute('aria-label') ??
          document.getElementById(el.getAttribute('aria-labelledby') ?? '')?.textContent ??
          (el as HTMLProgressElement).labels?.[0]?.textContent ??
          '';
        if (labelled.trim() !== label) continue;
        const bar = el as HTMLProgressElement;
        const value =
          el.tagName === 'PROGRESS'
            ? bar.value / (bar.max || 1)
            : Number(el.getAttribute('aria-valuenow')) / Number(el.getAttribute('aria-valuemax') ?? 100);
        if (Number.isFinite(value)) w.__maxProgress = Math.max(w.__maxProgress, value);
      }
    };
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['aria-valuenow', 'value'],
    });
  }, name);

/** The highest fraction (0…1) the recorded progress bar reached. */
export const maxProgress = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __maxProgress: number }).__maxProgress);
