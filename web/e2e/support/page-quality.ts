import type { Page } from 'playwright-core';

/** What the in-page helpers installed by `installQualityProbes` keep on `window`. */
interface QualityWindow {
  __cls: { total: number; shifts: { value: number; sources: string[] }[] };
}

/**
 * Before any navigation: sums layout shifts not caused by input (Cumulative Layout Shift as Web Vitals
 * counts it, without session windows, so the figure is never lower than theirs) into `window.__cls`.
 */
export const installLayoutShiftProbe = async (page: Page): Promise<void> => {
  await page.addInitScript(() => {
    const w = window as unknown as QualityWindow;
    w.__cls = { total: 0, shifts: [] };
    const describe = (node: Node | null) =>
      node instanceof Element
        ? node.tagName.toLowerCase() +
          (node.id ? `#${node.id}` : '') +
          (node.className && typeof node.className === 'string'
            ? `.${node.className.trim().split(/\s+/).join('.')}`
            : '')
        : String(node?.nodeName);
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as {
        value: number;
        hadRecentInput: boolean;
        sources?: { node: Node | null }[];
      }[]) {
        if (entry.hadRecentInput) continue;
        w.__cls.total += entry.value;
        w.__cls.shifts.push({ value: entry.value, sources: (entry.sources ?? []).map((s) => describe(s.node)) });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
};

/** The layout shift so far in the current document, after two frames so shifts of the last render are reported. */
export const layoutShift = async (page: Page): Promise<QualityWindow['__cls']> => {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return page.evaluate(() => (window as unknown as QualityWindow).__cls);
};

/** The page's width against the viewport's, and the deepest elements that stick out past its right edge. */
export const horizontalOverflow = (
  page: Page,
): Promise<{ scrollWidth: number; innerWidth: number; offenders: string[] }> =>
  page.evaluate(() => {
    const offenders = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && el.checkVisibility())
      .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5))
      .slice(0, 5)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(el.getBoundingClientRect().right)} ` +
          `"${(el.textContent ?? '').trim().slice(0, 40)}"`,
      );
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, offenders };
  });

/**
 * Installs `window.__accName(el)`: the element's accessible name from aria-labelledby, aria-label, its
 * labels, its text (or an image's alt inside it), a submit input's value, or its title — the sources the
 * accessible-name algorithm uses for controls, without placeholder (a hint, not a label).
 */
export const installNameProbe = async (page: Page): Promise<void> => {
  await page.addInitScript(() => {
    const text = (el: Element): string => {
      const own = (el as HTMLElement).innerText ?? el.textContent ?? '';
      const alts = [...el.querySelectorAll('img[alt]')].map((i) => i.getAttribute('alt') ?? '').join(' ');
      return `${own} ${alts}`.trim();
    };
    (window as unknown as { __accName: (el: Element) => string }).__accName = (el: Element) => {
      const byIds = (el.getAttribute('aria-labelledby') ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => document.getElementById(id))
        .filter((n): n is HTMLElement => n !== null)
        .map(text)
        .join(' ')
        .trim();
      if (byIds) return byIds;
      const aria = (el.getAttribute('aria-label') ?? '').trim();
      if (aria) return aria;
      const labels = [...((el as HTMLInputElement).labels ?? [])].map(text).join(' ').trim();
      if (labels) return labels;
      const isField = ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName);
      const input = el as HTMLInputElement;
      if (el.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(input.type) && input.value.trim())
        return input.value.trim();
      if (!isField && text(el)) return text(el);
      return (el.getAttribute('title') ?? '').trim();
    };
  });
};

/** Every visible control or link on the page (outside sandboxed notebook frames) whose accessible name is empty. */
export const unlabelledControls = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const name = (window as unknown as { __accName: (el: Element) => string }).__accName;
    const hiddenBehindLabelledZone = (el: Element) =>
      el.tagName === 'INPUT' && (el as HTMLInputElement).type === 'file' && !el.checkVisibility();
    return [...document.querySelectorAll('input, select, textarea, button, [role=button], a[href]')]
      .filter(
        (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && !hiddenBehindLabelledZone(el),
      )
      .filter((el) => name(el) === '')
      .map((el) => el.outerHTML.slice(0, 160));
  });

/** What has focus now: its accessible name, whether it sits in main, and whether a focus indicator is drawn. */
export interface FocusStop {
  tag: string;
  name: string;
  inMain: boolean;
  indicator: boolean;
  style: string;
}

/** Describes the focused element (see FocusStop). */
export const focusStop = (page: Page): Promise<FocusStop> =>
  page.evaluate(() => {
    const el = document.activeElement ?? document.body;
    const css = getComputedStyle(el);
    const outline = css.outlineStyle !== 'none' && parseFloat(css.outlineWidth) > 0;
    const shadow = css.boxShadow !== 'none' && css.boxShadow !== '';
    return {
      tag: el.tagName.toLowerCase(),
      name: (window as unknown as { __accName: (el: Element) => string }).__accName(el),
      inMain: el.closest('main') !== null,
      indicator: outline || shadow,
      style: `outline: ${css.outlineStyle} ${css.outlineWidth} ${css.outlineColor}; box-shadow: ${css.boxShadow}`,
    };
  });

/**
 * Presses Tab until the focused element's accessible name is `name` (at most `limit` presses), and returns
 * every stop on the way, the last one included, so the caller can check each showed its focus.
 */
export const tabTo = async (page: Page, name: string, limit = 40): Promise<FocusStop[]> => {
  const stops: FocusStop[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const stop = await focusStop(page);
    stops.push(stop);
    if (stop.name === name) return stops;
  }
  throw new Error(
    `Tab never reached "${name}" in ${limit} presses; stops: ${stops.map((s) => `${s.tag} "${s.name}"`).join(', ')}`,
  );
};
