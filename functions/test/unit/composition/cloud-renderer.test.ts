import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNotebook } from '../../../src/domain/nbformat.ts';
import type { NotebookRenderer } from '../../../src/ports/notebook-renderer.ts';
import { lazyNotebookRenderer } from '../../../src/composition/cloud-renderer.ts';
import { makeNotebookDeps } from '../../../src/composition/notebooks.ts';
import { makeRunRouteDeps } from '../../../src/composition/runs.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { CLOUD_ENV_WITH_CURSORS } from '../../support/cloud-env.ts';

const NOTEBOOK = parseNotebook(
  readFileSync(new URL('../../fixtures/parameters-basic.ipynb', import.meta.url), 'utf8'),
).notebook;
const CONFIG = loadConfig(CLOUD_ENV_WITH_CURSORS);

/** A loader that fails its first `failures` calls, then gives a renderer that echoes the title; counts its calls. */
const flakyLoader = (failures: number) => {
  const calls = { count: 0 };
  const load = async (): Promise<NotebookRenderer> => {
    calls.count += 1;
    if (calls.count <= failures) throw new Error('chunk not found');
    return { render: async (_notebook, options) => `<title>${options.title}</title>` };
  };
  return { load, calls };
};

describe('lazyNotebookRenderer', () => {
  it('loads the renderer once, on the first render, and reuses it', async () => {
    // Prepare
    const { load, calls } = flakyLoader(0);
    const renderer = lazyNotebookRenderer(load);
    const before = calls.count;

    // Act
    const pages = [await renderer.render(NOTEBOOK, { title: 'a' }), await renderer.render(NOTEBOOK, { title: 'b' })];

    // Assess
    expect(before).toBe(0);
    expect(pages).toEqual(['<title>a</title>', '<title>b</title>']);
    expect(calls.count).toBe(1);
  });

  it('tries the load again after a failed one instead of failing for the life of the container', async () => {
    // Prepare
    const { load, calls } = flakyLoader(1);
    const renderer = lazyNotebookRenderer(load);

    // Act
    const first = renderer.render(NOTEBOOK, { title: 'a' });
    await expect(first).rejects.toThrow('chunk not found');
    const second = await renderer.render(NOTEBOOK, { title: 'b' });

    // Assess
    expect(second).toBe('<title>b</title>');
    expect(calls.count).toBe(2);
  });
});

describe('the cloud renderer', () => {
  it('renders a notebook through the lazily imported Folium renderer for the notebooks and runs functions', async () => {
    // Prepare
    const renderers = [makeNotebookDeps(CONFIG).renderer, makeRunRouteDeps(CONFIG).renderer];

    // Act
    const pages = await Promise.all(renderers.map((renderer) => renderer.render(NOTEBOOK, { title: 'Sales <Q3>' })));

    // Assess
    for (const page of pages) {
      expect(page).toMatch(/^<!doctype html>/i);
      expect(page).toContain('<title>Sales &lt;Q3&gt;</title>');
    }
  });
});
